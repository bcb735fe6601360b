import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** TensorFlow.js backends the trainer can run on, best first. */
export const BACKEND_PREFERENCE = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_PREFERENCE)[number];

export interface SelectedBackend {
  /** tf.getBackend() after selection: `tensorflow` (tfjs-node and tfjs-node-gpu), `wasm` or `cpu`. */
  readonly name: string;
  readonly choice: BackendChoice;
  /** For wasm: whether the SIMD build loaded. */
  readonly simd: boolean;
  /** Why each better backend was passed over. */
  readonly skipped: ReadonlyArray<{ readonly choice: BackendChoice; readonly reason: string }>;
}

// Variable specifiers: tfjs-node* are optional (they download native libraries at install time, which
// fails offline), so they are not dependencies and the compiler must not try to resolve them.
const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let selection: Promise<SelectedBackend> | undefined;

/**
 * Picks the best backend that loads, once per process: tfjs-node-gpu, tfjs-node, wasm (SIMD, wasm
 * files from the package's own dist folder, so nothing is fetched), then cpu. `only` restricts the
 * candidates (config TRAINER_TFJS_BACKEND, tests and benchmarks).
 */
export function selectBackend(only?: BackendChoice): Promise<SelectedBackend> {
  selection ??= trySelect(only === undefined ? BACKEND_PREFERENCE : [only]);
  return selection;
}

/** Switches an already initialised process to another registered backend (benchmarks, determinism tests). */
export async function useBackend(choice: 'wasm' | 'cpu'): Promise<void> {
  if (choice === 'wasm') pointWasmAtPackage();
  if (!(await tf.setBackend(choice))) throw new Error(`TensorFlow.js backend ${choice} failed to initialise`);
  await tf.ready();
}

async function trySelect(candidates: readonly BackendChoice[]): Promise<SelectedBackend> {
  const skipped: Array<{ choice: BackendChoice; reason: string }> = [];
  for (const choice of candidates) {
    try {
      if (choice === 'tensorflow-gpu' || choice === 'tensorflow') {
        const specifier = NATIVE_PACKAGES[choice];
        await import(specifier);
        if (!(await tf.setBackend('tensorflow'))) throw new Error('backend "tensorflow" did not initialise');
      } else {
        if (choice === 'wasm') pointWasmAtPackage();
        if (!(await tf.setBackend(choice))) throw new Error(`backend "${choice}" did not initialise`);
      }
      await tf.ready();
      const name = tf.getBackend();
      const simd = name === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : false;
      return { name, choice, simd, skipped };
    } catch (error) {
      skipped.push({ choice, reason: error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error) });
    }
  }
  throw new Error(`no TensorFlow.js backend loaded: ${skipped.map((s) => `${s.choice}: ${s.reason}`).join('; ')}`);
}

let wasmPathsSet = false;

function pointWasmAtPackage(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  wasmPathsSet = true;
}
