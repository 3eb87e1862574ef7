// Minimal types for the one benchmark peer that ships none (jStat), covering what bench/run.ts calls.
declare module 'jstat' {
  interface JStat {
    ttest(mu: number, sample: number[], sides: 1 | 2): number;
    tci(mean: number, alpha: number, sd: number, n: number): [number, number];
    stdev(sample: number[], sample_?: boolean): number;
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    normal: { inv(p: number, mean: number, sd: number): number };
  }
  const jStatModule: { jStat: JStat };
  export default jStatModule;
}
