import { describeCall, implicitBindSentence, type StepView } from '@/app/_lib/lab/state';
import { expectedLabel } from '@/app/_lib/lab/outcome';
import { ErrnoExplain } from './ErrnoExplain';
import { KernelTable } from './KernelTable';
import { ReadBytesDetail } from './ReadBytesDetail';

/** The exact bytes a finished recv()/recvfrom() returned, as base64 (none for an EOF or another call). */
function bytesRead(step: StepView): string | undefined {
  if (step.status !== 'ok' || (step.op !== 'recv' && step.op !== 'recvfrom') || !step.result) return undefined;
  return 'base64' in step.result ? step.result.base64 : undefined;
}

/** Everything about one call: arguments, the real return value or errno, and the kernel before and after. */
export function StepDetail({ step, onRewind }: { step: StepView; onRewind?: (seq: number) => void }) {
  const ms = step.end !== undefined ? step.end - step.start : null;
  const implicitBind = implicitBindSentence(step);
  const readBase64 = bytesRead(step);
  return (
    <section aria-label={`Step ${step.seq} in detail`} className="rounded-lg border border-gray-200 bg-white p-3 text-sm dark:border-gray-700 dark:bg-gray-900" data-testid="step-detail">
      <h4 className="m-0 font-mono text-sm font-bold">
        {step.seq}. {step.actor}: {describeCall(step)}
      </h4>
      {onRewind ? (
        <button type="button" onClick={() => onRewind(step.seq)} className="mt-1 rounded-md border border-violet-600 px-2 py-0.5 text-xs text-violet-900 hover:bg-violet-50 dark:border-violet-300 dark:text-violet-100 dark:hover:bg-violet-950" data-testid="rewind-here">
          ⟲ See the lab as it was after this step
        </button>
      ) : null}
      <p className="m-0 mt-1 text-xs text-gray-600 dark:text-gray-400">
        {step.status === 'blocked' ? 'Blocked: the call is waiting for the kernel.' : `Took ${ms} ms${ms !== null && ms > 50 ? ' (most of it waiting for the kernel)' : ''}.`}
      </p>
      {implicitBind ? (
        <p className="m-0 mt-1 text-xs text-amber-900 dark:text-amber-200" data-testid="implicit-bind">
          {implicitBind}
        </p>
      ) : null}
      <div className="mt-2 grid gap-2 md:grid-cols-2">
        <div>
          <p className="m-0 text-xs font-semibold">Arguments</p>
          <pre className="m-0 mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-gray-50 p-2 text-xs dark:bg-gray-950">{JSON.stringify(step.args, null, 2)}</pre>
        </div>
        <div>
          <p className="m-0 text-xs font-semibold">{step.status === 'error' ? (expectedLabel(step.op, step.error?.code) ? 'Returned at once (not a failure)' : 'Error') : 'Returned'}</p>
          {step.status === 'error' && step.error ? (
            <div className="mt-1">
              <ErrnoExplain error={step.error} op={step.op} />
            </div>
          ) : (
            <pre className="m-0 mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-gray-50 p-2 text-xs dark:bg-gray-950">{step.status === 'blocked' ? '(not yet)' : JSON.stringify(step.result, null, 2)}</pre>
          )}
        </div>
      </div>
      {readBase64 !== undefined ? <ReadBytesDetail base64={readBase64} /> : null}
      {step.kernelBefore ? (
        <div className="mt-3 space-y-2">
          <p className="m-0 text-xs font-semibold">Kernel before</p>
          <KernelTable rows={step.kernelBefore} caption={`Kernel table before step ${step.seq}`} />
          <p className="m-0 text-xs font-semibold">Kernel after</p>
          {step.kernelAfter ? <KernelTable rows={step.kernelAfter} previous={step.kernelBefore} caption={`Kernel table after step ${step.seq}`} /> : <p className="m-0 text-xs">(refreshing…)</p>}
        </div>
      ) : null}
    </section>
  );
}
