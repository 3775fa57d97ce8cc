// Upstream's ValidateListOptions for a (non-watch) list: resourceVersionMatch needs a resourceVersion, never
// goes with continue, is Exact or NotOlderThan, and Exact is not for "0". Errors are one 422 on ListOptions.
import { ApiError, type FieldError } from '../../../api/errors.ts';
import type { ListRequest } from './types.ts';

export function validateListOptions(req: ListRequest): void {
  const match = req.resourceVersionMatch ?? '';
  if (!match) return;
  const rv = req.resourceVersion ?? '';
  const field = 'resourceVersionMatch';
  const errs: FieldError[] = [];
  if (!rv) errs.push({ type: 'FieldValueForbidden', field, detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
  if (req.continueToken) errs.push({ type: 'FieldValueForbidden', field, detail: 'resourceVersionMatch is forbidden when continue is provided' });
  if (match !== 'Exact' && match !== 'NotOlderThan') {
    errs.push({ type: 'FieldValueNotSupported', field, value: match, supported: ['Exact', 'NotOlderThan', ''] });
  }
  if (match === 'Exact' && rv === '0') errs.push({ type: 'FieldValueForbidden', field, detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  if (errs.length) throw ApiError.invalid('ListOptions', 'meta.k8s.io', '', errs);
}
