// Claims the question bank marks 'not-measurable': each needs the real system (a trained large model, a
// benchmark, a lab's records) or is a citation; the reason says what would be needed, in one line.
export const notMeasurableReasons: Readonly<Record<string, string>> = {
  // Question 2
  'q2-beta-range':
    'A statement about what InstructGPT reported; a toy run cannot check it. Our β sweep (q2-beta-grid) shows the useful range moves with the reward scale.',
  'q2-instructgpt-beta':
    'The β a past training run used is a fact about that run, not something we can recompute.',
  'q2-kl-target':
    'A KL "sweet spot" in nats depends on response length, vocabulary and reward scale of a real model; 5–10 nats is not in the InstructGPT paper (TRL\'s adaptive controller defaults to a target of 6).',
  // Question 3
  'q3-max-sequence':
    'Maximum practical lengths depend on hardware, kernels and model size the source does not name; @prep/attention\'s maxSequenceLength computes them for a stated memory budget instead.',
  'q3-downstream':
    'Quality drops need trained language models evaluated on downstream benchmarks; the source gives no model, task or citation.',
  'q3-openai-attention':
    'What production models use internally is not public (GPT-3\'s paper describes alternating dense and banded sparse layers); nothing to run.',
  // Question 4
  'q4-flops-matched-ppl':
    'Perplexities of 47B-parameter models need the models and their evaluation set; the source cites neither.',
  'q4-param-matched-ppl': 'Needs trained 47B dense and MoE models and a shared evaluation set; not reproducible here.',
  'q4-model-table':
    'Benchmark scores of GPT-3 175B, Mixtral and Switch-C need the models; the table has no source and Switch-C was never evaluated on code or maths.',
  'q4-parameter-efficiency':
    'A comparison across trained model families at scale; no small experiment measures a "10–100×" efficiency.',
  // Question 5
  'q5-modern-networks':
    'A citation ("Goldstein et al., 2020") we could not trace; checking it needs large ResNets/Transformers and MI estimates at scale.',
  'q5-saxe-date': 'A bibliographic fact: Saxe et al. appeared at ICLR 2018, not 2020 or later. Nothing to measure.',
  // Question 6
  'q6-evaluation-weights': 'An interview rubric the source asserts without a citation; not a quantity our code can measure.',
  // Question 7
  'q7-rlhf-labels': 'How many comparisons GPT-4\'s RLHF used is not public; nothing to run.',
  'q7-principles': 'How many principles a constitution holds is a design choice of its authors, not a quantity our code can measure.',
  // Question 8
  'q8-batch-size-table':
    'ImageNet zero-shot accuracy at each batch size needs CLIP trained at scale; the CLIP paper reports no such sweep. Our synthetic sweep (q8-batch-size-trend) tests only the trend.',
  'q8-model-table':
    'Needs the released CLIP encoders and ImageNet; open_clip\'s evaluation of the OpenAI weights gives different numbers per row (e.g. 63.3% for ViT-B/32).',
  'q8-zero-shot': 'Needs the trained ViT-L/14 CLIP model and ImageNet validation; not reproducible on synthetic data.',
  'q8-clip-batch': 'A fact about CLIP\'s training run (the paper states a batch of 32,768); nothing to compute.',
  // Question 9
  'q9-rlhf-comparisons': 'The label counts of real RLHF runs are a fact about those runs; nothing to compute.',
  'q9-annotator-disagreement':
    'Needs real human annotators; InstructGPT reports about 73% inter-labeller agreement, in line with the claim.',
  'q9-turnaround': 'Calendar delays of a labelling vendor and a release process are organisational facts, not computable.',
};
