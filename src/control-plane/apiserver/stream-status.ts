// What the API server's stream translator writes on a WebSocket client's error channel (3) once the kubelet's
// SPDY exec/attach has ended, decided the way upstream's StreamTranslatorHandler decides it: the kubelet's v4
// error stream is read like client-go's errorDecoderV4 (Success → nil; Failure/NonZeroExitCode → the exit code;
// another Failure → its message as an error), then re-encoded as upstream writes it: Success, a NonZeroExitCode
// Status with an ExitCode cause, or an InternalError. `code` is the label of apiserver_stream_translator_requests.
import type { Status } from 'kubernetes-types/meta/v1.js';

export interface TranslatedStatus {
  status: Status;
  code: string;
}

const success = (): TranslatedStatus => ({ status: { metadata: {}, status: 'Success' }, code: '200' });

export function internalErrorStatus(message: string): TranslatedStatus {
  return {
    status: { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 },
    code: '500',
  };
}

function exitStatus(rc: number): TranslatedStatus {
  const err = `command terminated with exit code ${rc}`;
  return {
    status: {
      metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${err}`, reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(rc) }] },
    },
    // an exit code is the command's answer, not a failure of the translator
    code: '200',
  };
}

/** The status for the bytes the kubelet wrote on its v4 error stream (empty: the command succeeded). */
export function translateErrorStream(bytes: Buffer): TranslatedStatus {
  if (!bytes.length) return success();
  let st: Status;
  try {
    st = JSON.parse(bytes.toString('utf8')) as Status;
  } catch (err) {
    return internalErrorStatus(`error stream protocol error: ${(err as Error).message} in ${JSON.stringify(bytes.toString('utf8'))}`);
  }
  if (st.status === 'Success') return success();
  if (st.status !== 'Failure') return internalErrorStatus('error stream protocol error: unknown error');
  // the runtime's own InternalError already says so; once is enough (kubectl shows the same text as over SPDY)
  if (st.reason !== 'NonZeroExitCode') return internalErrorStatus((st.message ?? '').replace(/^Internal error occurred: /, ''));
  if (!st.details) return internalErrorStatus('error stream protocol error: details must be set');
  const cause = st.details.causes?.find((c) => c.reason === 'ExitCode');
  if (!cause) return internalErrorStatus('error stream protocol error: no ExitCode cause given');
  const rc = Number(cause.message);
  // client-go parses the code as an unsigned 8-bit number
  if (!/^\d+$/.test(cause.message ?? '') || rc > 255) return internalErrorStatus(`error stream protocol error: invalid exit code value ${JSON.stringify(cause.message)}`);
  return exitStatus(rc);
}
