import { defineGauge, type StructuredLogger } from '@kuroshio/telemetry';
import type { SelectedBackend } from './backend-selection.js';

const backendInfo = defineGauge({
  name: 'kuroshio_tfjs_backend_info',
  help: 'TensorFlow.js backend in use (1 for the selected one): tensorflow (tfjs-node or tfjs-node-gpu), wasm or cpu',
  labelNames: ['backend', 'choice', 'simd'],
});

/** Logs the selected backend (and why better ones were passed over) and exports it as a metric. */
export function announceBackend(selected: SelectedBackend, logger: Pick<StructuredLogger, 'info'>): void {
  backendInfo.reset();
  backendInfo.set({ backend: selected.name, choice: selected.choice, simd: String(selected.simd) }, 1);
  logger.info({ backend: selected.name, choice: selected.choice, simd: selected.simd, skipped: selected.skipped }, 'TensorFlow.js backend selected');
}
