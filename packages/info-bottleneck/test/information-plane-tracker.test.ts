import { expect, it } from 'vitest';
import { expectArrayClose, expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, numTensors, seededValues, tf } from '@prep/test-utils/tensor';
import { binnedMutualInformation, InformationPlaneTracker, kdeMutualInformation } from '../src/index.js';

const rows = 32;
const labels = Array.from({ length: rows }, (_, i) => i % 2);
const layer = (seed: number, units: number, spread: number) => tf.tensor2d(seededValues(rows * units, seed, -spread, spread), [rows, units]);

describeBackends('InformationPlaneTracker', (backend) => {
  it('records every layer with every estimator, equal to the estimators called directly', async () => {
    const tracker = new InformationPlaneTracker();
    expect(tracker.seriesNames).toEqual(['binned', 'kde.upper', 'kde.lower']);
    const baseline = numTensors();
    for (const epoch of [0, 5]) {
      const acts = [layer(epoch + 1, 3, 1), layer(epoch + 11, 3, 1 / (epoch + 1))]; // one width: fewer shaders to compile
      tracker.record(epoch, acts, labels);
      tf.dispose(acts); // the tracker keeps its own references
    }
    await tracker.flush();
    expect(numTensors()).toBe(baseline);
    const json = tracker.toJSON();
    expect(json.epochs).toEqual([0, 5]);
    expect(json.layers).toBe(2);
    expect(json.pending).toBe(0);
    expect(json.units).toBe('bits');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const last = [layer(16, 3, 1 / 6)];
    const direct = await binnedMutualInformation(last[0]!, labels);
    const kde = await kdeMutualInformation(last[0]!, labels, { noiseVariance: 1e-3 });
    expect(json.records[1]!.layers[1]!.binned).toEqual(direct);
    expect(json.records[1]!.layers[1]!['kde.upper']).toEqual(kde.upper);
    expect(json.records[1]!.layers[1]!['kde.lower']).toEqual(kde.lower);
    // plot-ready columns agree with the records
    const column = json.bySeries['kde.upper']![1]!;
    expect(column.epochs).toEqual([0, 5]);
    expect(column.iXT[1]).toBe(kde.upper.iXT);
    // shrinking the second layer's spread compresses it under binning
    const binnedXT = json.bySeries.binned![1]!.iXT;
    expect(binnedXT[1]!).toBeLessThan(binnedXT[0]!);
    tf.dispose(last);
  });

  it('custom estimators and units; records made inside tf.tidy survive it', async () => {
    const tracker = new InformationPlaneTracker({
      estimators: { fixed: { kind: 'binned', bins: 10 }, adaptive: { kind: 'binned', range: 'auto', bins: 10 }, wide: { kind: 'kde', noiseVariance: 0.1 } },
      units: 'nats',
    });
    expect(tracker.seriesNames).toEqual(['fixed', 'adaptive', 'wide.upper', 'wide.lower']);
    tf.tidy(() => tracker.record(3, [tf.relu<tf.Tensor2D>(layer(4, 3, 5))], labels));
    await tracker.flush();
    const [entry] = tracker.toJSON().records;
    const expected = await (async () => {
      const t = tf.relu<tf.Tensor2D>(layer(4, 3, 5));
      const out = await binnedMutualInformation(t, labels, { bins: 10, range: 'auto', units: 'nats' });
      t.dispose();
      return out;
    })();
    expect(entry!.layers[0]!.adaptive).toEqual(expected);
    expect(entry!.layers[0]!.adaptive!.iXT).toBeGreaterThan(entry!.layers[0]!.fixed!.iXT);
    const wide = entry!.layers[0]!['wide.upper']!;
    expectArrayClose(wide.iXT, Math.log(rows), { atol: 1, rtol: 0 }, 'σ² = 0.1 on spread-out ReLU activity: near log N nats');
  });

  it('a refused record changes nothing', async () => {
    const tracker = new InformationPlaneTracker({ estimators: { b: { kind: 'binned' } } });
    const good = [layer(1, 2, 1), layer(2, 3, 1)];
    tracker.record(1, good, labels);
    await tracker.flush();
    const before = JSON.stringify(tracker.toJSON());
    const rank1 = tf.zeros([rows]);
    const extraRow = tf.zeros([rows + 1, 2]);
    const live = numTensors();
    const bad: [unknown, unknown, unknown, string][] = [
      [1, good, labels, 'epoch'], // not increasing
      [0.5, good, labels, 'epoch'],
      [NaN, good, labels, 'epoch'],
      ['2', good, labels, 'epoch'],
      [2, [good[0]], labels, 'layerActivations'], // layer count differs from the first record
      [2, [], labels, 'layerActivations'],
      [2, good[0], labels, 'layerActivations'],
      [2, [good[0], rank1], labels, 'layerActivations[1]'],
      [2, [good[0], extraRow], labels, 'layerActivations[1]'],
      [2, [good[0], [[1]]], labels, 'layerActivations[1]'],
      [2, good, labels.slice(1), 'labels'],
      [2, good, 'labels', 'labels'],
    ];
    for (const [epoch, acts, ys, arg] of bad) {
      expectThrowsNaming(() => tracker.record(epoch as number, acts as tf.Tensor2D[], ys as number[]), 'InformationPlaneTracker', arg);
    }
    await tracker.flush();
    expect(numTensors()).toBe(live);
    tf.dispose([rank1, extraRow]);
    expect(JSON.stringify(tracker.toJSON())).toBe(before);
    tracker.record(2, good, labels); // still accepts a good one
    await tracker.flush();
    expect(tracker.toJSON().epochs).toEqual([1, 2]);
    tf.dispose(good);
  });

  it('a record that fails while estimating is dropped and reported by flush()', async () => {
    const tracker = new InformationPlaneTracker({ estimators: { k: { kind: 'kde', noiseVariance: 0.1 } } });
    const live = numTensors();
    const bad = tf.tensor2d([[0], [NaN]]);
    tracker.record(0, [bad], [0, 1]);
    bad.dispose();
    const ok = tf.tensor2d([[0], [1]]);
    tracker.record(1, [ok], [0, 1]);
    ok.dispose();
    await expect(tracker.flush()).rejects.toThrow(/InformationPlaneTracker: 'activations' must be finite/);
    await tracker.flush(); // the error is reported once
    expect(tracker.toJSON().epochs).toEqual([1]);
    expect(numTensors()).toBe(live);
  });

  it('rejects bad options', () => {
    const fn = 'InformationPlaneTracker';
    expectThrowsNaming(() => new InformationPlaneTracker(3 as never), fn, 'options');
    expectThrowsNaming(() => new InformationPlaneTracker({ units: 'bytes' as never }), fn, 'options.units');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: [] as never }), fn, 'options.estimators');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: {} }), fn, 'options.estimators');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: { a: { kind: 'knn' } as never } }), fn, 'options.estimators.a.kind');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: { a: null as never } }), fn, 'options.estimators.a');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: { a: { kind: 'binned', bins: 1 } } }), fn, 'options.estimators.a.bins');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: { a: { kind: 'binned', range: [2, 1] } } }), fn, 'options.estimators.a.range');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: { a: { kind: 'kde' } as never } }), fn, 'options.estimators.a.noiseVariance');
    expectThrowsNaming(() => new InformationPlaneTracker({ estimators: { a: { kind: 'kde', noiseVariance: -1 } } }), fn, 'options.estimators.a.noiseVariance');
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});
