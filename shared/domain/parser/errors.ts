/** Why a file is not a usable filing, and the size limit every reader of filings shares. */

export const MAX_FILING_BYTES = 5 * 1024 * 1024;

export type FilingErrorCode =
  | 'empty'
  | 'too-large'
  | 'binary'
  | 'no-text-layer'
  | 'bad-pdf'
  | 'not-a-filing'
  | 'bad-header'
  | 'several-filings'
  | 'truncated';

/** Why a file is not a usable filing. `message` is one line, fit for a person. */
export class FilingError extends Error {
  constructor(
    readonly code: FilingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FilingError';
  }
}

/** Something about how the file was read, for an info finding (not part of the filing itself). */
export interface ParseNote {
  rule: 'file-encoding' | 'firm-name-page-break';
  message: string;
}
