import type { Question } from '../types.js';

/** Question 8: CLIP's contrastive loss against supervised match / no-match training. */
export const clipContrastive: Question = {
  id: 8,
  slug: 'clip-contrastive',
  title: 'CLIP: contrastive versus supervised losses for aligning images and text',
  difficulty: 'High',
  roles: ['Research Scientist', 'Senior Research Scientist'],
  topic: 'Multimodal AI, Vision-Language Models',
  round: 'On-site Technical Interview',
  researchArea: 'Multimodal Learning',
  prompt:
    'CLIP aligned images and text with a contrastive objective. Derive that loss, compare it with training a ' +
    'supervised cross-entropy (match / no-match) model, and explain why the contrastive form learns better ' +
    'cross-modal representations.',
  summary:
    'Take a batch of N matched image–text pairs, encode both sides, L2-normalise, and form the N × N matrix of cosine ' +
    'similarities multiplied by a learnable logit scale t = 1/τ. Each row is a classification over the N texts whose ' +
    'right answer is on the diagonal, each column one over the N images; the CLIP loss is the mean of the two ' +
    'cross-entropies (a symmetric InfoNCE). Every other pair in the batch serves as a negative, so one batch gives N ' +
    'positives and N(N − 1) negatives for the price of one matrix product, and the softmax concentrates the gradient ' +
    'on the hardest negatives. InfoNCE is a lower bound on the mutual information between the two views that cannot ' +
    'exceed log N, one reason larger batches help. A binary match / no-match classifier scores each pair in isolation, ' +
    'needs negatives to be built and sampled, and its scores are not calibrated across candidates; the contrastive ' +
    'loss trains exactly the ranking that zero-shot classification and retrieval use (pick the text with the highest ' +
    'similarity). CLIP trained ResNet and ViT image encoders with a Transformer text encoder on 400M web pairs with ' +
    'batch size 32 768; τ starts at 0.07 and is learned, with the logit scale capped at 100. SigLIP replaces the ' +
    'softmax with an independent sigmoid per pair, which removes the batch-wide normaliser and works well at smaller ' +
    'batches.',
  keyIdeas: [
    'Normalise both embeddings; logits are scaled cosine similarities t·⟨u_i, v_j⟩.',
    'Average the image→text and text→image cross-entropies over the same matrix: a symmetric InfoNCE.',
    'Batch negatives come free: N² similarities per batch, N − 1 negatives per example.',
    'InfoNCE bounds mutual information from below by log N minus the loss; larger N allows a tighter bound and harder negatives.',
    'A learnable temperature with a cap (logit scale ≤ 100) keeps the loss from being lowered by scaling alone.',
    'Zero-shot classification is retrieval against prompt embeddings such as "a photo of a {class}".',
    'The N × N logits can be computed in chunks, or across devices by gathering embeddings, without one device holding the full matrix.',
    'SigLIP\'s pairwise sigmoid loss decouples the loss from the batch normaliser.',
    'CLIP found the contrastive objective several times more compute-efficient than predicting caption text.',
  ],
  formulas: [
    String.raw`u_i = \frac{f_{\text{img}}(I_i)}{\|f_{\text{img}}(I_i)\|},\qquad v_j = \frac{f_{\text{txt}}(T_j)}{\|f_{\text{txt}}(T_j)\|},\qquad s_{ij} = t\,\langle u_i, v_j\rangle,\qquad t = \frac{1}{\tau}`,
    String.raw`\mathcal{L}_{I\to T} = -\frac{1}{N}\sum_{i=1}^{N}\log\frac{e^{s_{ii}}}{\sum_{j=1}^{N} e^{s_{ij}}},\qquad \mathcal{L}_{T\to I} = -\frac{1}{N}\sum_{j=1}^{N}\log\frac{e^{s_{jj}}}{\sum_{i=1}^{N} e^{s_{ij}}}`,
    String.raw`\mathcal{L}_{\text{CLIP}} = \tfrac{1}{2}\big(\mathcal{L}_{I\to T} + \mathcal{L}_{T\to I}\big)`,
    String.raw`I(U;V) \ge \log N - \mathcal{L}_{\text{InfoNCE}}`,
    String.raw`\mathcal{L}_{\text{SigLIP}} = -\frac{1}{N}\sum_{i=1}^{N}\sum_{j=1}^{N}\log\sigma\big(z_{ij}\,(t\,\langle u_i, v_j\rangle + b)\big),\qquad z_{ij} = \begin{cases} 1 & i = j \\ -1 & i \ne j \end{cases}`,
    String.raw`\mathcal{L}_{\text{BCE}} = -\frac{1}{|P|}\sum_{(i,j)\in P}\Big[y_{ij}\log\sigma(s_{ij}) + (1 - y_{ij})\log\big(1 - \sigma(s_{ij})\big)\Big]`,
    String.raw`t_0 = \frac{1}{0.07} \approx 14.3,\qquad t \le 100 \;\;(\tau \ge 0.01)`,
  ],
  packages: ['@prep/contrastive'],
  claims: [
    {
      id: 'q8-temperature',
      statement: 'CLIP scales similarities with a temperature τ = 0.07.',
      sourceValue: 'τ = 0.07',
      measuredBy: 'contrastive/temperature',
    },
    {
      id: 'q8-negatives',
      statement: 'A batch of N pairs gives N² comparisons: N − 1 negatives per image and N(N − 1) negative pairs in all.',
      sourceValue: 'N², N−1, N(N−1)',
      measuredBy: 'contrastive/negatives-count',
    },
    {
      id: 'q8-batch-size-table',
      statement: 'Zero-shot ImageNet accuracy rises with batch size: 256 → 34.5%, 1K → 48.2%, 4K → 63.7%, 16K → 72.1%, 32K → 76.2%.',
      sourceValue: '34.5 / 48.2 / 63.7 / 72.1 / 76.2%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q8-batch-size-trend',
      statement: 'Accuracy grows roughly log-linearly with batch size, because larger batches supply harder negatives.',
      sourceValue: 'roughly log-linear in batch size',
      measuredBy: 'contrastive/batch-size-sweep',
    },
    {
      id: 'q8-model-table',
      statement: 'Zero-shot ImageNet accuracy by image encoder: ResNet-50 59.6%, ResNet-101 64.1%, ViT-B/32 68.3%, ViT-B/16 73.4%, ViT-L/14 76.2%.',
      sourceValue: '59.6 / 64.1 / 68.3 / 73.4 / 76.2%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q8-zero-shot',
      statement: 'Without seeing an ImageNet training label, CLIP reaches 76% zero-shot accuracy there, equal to the original ResNet-50 that was trained with those labels.',
      sourceValue: '76.2%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q8-clip-batch',
      statement: 'CLIP was trained with a batch of 32K pairs.',
      sourceValue: '32K',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q8-dataset-ratio',
      statement: 'CLIP\'s 400M image–text pairs are 100× the 1.2M images of ImageNet.',
      sourceValue: '400M = 100x 1.2M',
      measuredBy: 'contrastive/scale-arithmetic',
    },
    {
      id: 'q8-sample-efficiency',
      statement: 'Supervised match / no-match training needs 10–100× more samples to reach the zero-shot performance of contrastive training.',
      sourceValue: '10-100x',
      measuredBy: 'contrastive/infonce-vs-pairwise',
    },
  ],
  pitfalls: [
    'The batch-size table is not in the CLIP paper, which reports no such sweep; treat it as invented. Our synthetic sweep can show the trend, not ImageNet numbers.',
    'The model table shifts rows: open_clip\'s re-evaluation of the released OpenAI weights gives ResNet-50 59.8%, ResNet-101 62.3%, ViT-B/32 63.3%, ViT-B/16 68.3%, ViT-L/14 75.5% and ViT-L/14 at 336 px 76.6% (the paper: 76.2% for the 336-px model). The source\'s 68.3% belongs to ViT-B/16 and its 76.2% to the 336-px model.',
    '400M pairs over the 1.28M ImageNet training images is about 312×, not 100×.',
    'τ = 0.07 is only the starting value: τ is learned, and CLIP clips the logit scale at 100 (τ ≥ 0.01).',
    'The "10–100× more samples" figure has no source. CLIP\'s own comparison is with predicting captions: the contrastive objective reached the same zero-shot accuracy about 4× faster than a bag-of-words caption predictor, which in turn was about 3× faster than a Transformer language model.',
    'Three different baselines hide in the question: a binary pair classifier, caption prediction (CLIP\'s comparison) and supervised ImageNet training (the 76% comparison). Keep them apart.',
    'Semantic structure ("dog" nearer "puppy" than "cat") comes from the data, not the loss; contrastive training also pushes apart near-duplicate captions that happen to be in-batch negatives (false negatives), more so at large batch sizes.',
  ],
};
