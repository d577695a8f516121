// The js backend against the naive ground truth on the whole parity sweep.
import { jsBackend } from '../src/backend/js.js';
import { MC, MR, NC, KC, NR } from '../src/backend/js/gemm.js';
import { describeBackendParity } from './support/sweep.js';

describeBackendParity('js', () => jsBackend, { gemmTile: { mr: MR, nr: NR }, gemmBlocks: { mc: MC, nc: NC, kc: KC } });
