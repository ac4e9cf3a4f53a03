import { gradientModelDir } from './src-main/services/training-service';
const dir = process.argv[2]!;
const reviews = Number(process.argv[3] ?? 32);
const g = await gradientModelDir(dir, { dataDir: process.env.RNN_WORKBENCH_HOME!, reviews });
const n = g.norms;
const last = n[n.length - 1]!, first = n[0]!;
const at = (i: number) => n[i]!.toExponential(2);
console.log(JSON.stringify({ layer: g.layer, reviews: g.reviews, steps: n.length, last: last.toExponential(3), first: first.toExponential(3), ordersBack: Math.log10(last / first).toFixed(2), min: Math.min(...n).toExponential(2), samples: { 0: at(0), 100: at(100), 250: at(250), 400: at(400), 450: at(450), 490: at(490), 499: at(499) } }));
