/** Filings for tests, made from the 2014 sample with other firms, dates and amounts (no I/O beyond reading the samples). */
import { readFileSync } from 'node:fs';

export const SAMPLE_2014 = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');
export const SAMPLE_2013_AMENDMENT = readFileSync('test/fixtures/citigroup-2013-06-18-amendment.txt', 'utf8');

const group = (n: bigint) => {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? `-${s}` : s;
};

function setAmount(text: string, code: string, amount: bigint): string {
  const re = new RegExp(`(<u>)(-?[\\d,]+)(</u>(?:</b>)?\\s*\\[${code}\\])`);
  if (!re.test(text)) throw new Error(`no amount for [${code}] in the sample`);
  return text.replace(re, `$1${group(amount)}$3`);
}

function amountOf(text: string, code: string): bigint {
  const m = new RegExp(`<u>(-?[\\d,]+)</u>(?:</b>)?\\s*\\[${code}\\]`).exec(text);
  if (!m) throw new Error(`no amount for [${code}] in the sample`);
  return BigInt(m[1].replace(/,/g, ''));
}

const usDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${m}/${d}/${y}`;
};

export interface FilingSpec {
  firmName: string;
  /** ISO end date (default 2014-11-06). */
  endDate?: string;
  /** ISO submit date (default: the day after endDate). */
  submitDate?: string;
  filingType?: 'INITIAL' | 'AMENDMENT';
  /** Take this much cash out of the cleared swaps segregated bank accounts [8600] (totals kept consistent). */
  swapsCashCut?: bigint;
}

/**
 * The 2014 sample as another firm's filing. With swapsCashCut, [8600] goes down by that much and
 * [8720], [8730], [8770] follow, so the statement still adds up and its excess moves.
 */
export function makeFiling(spec: FilingSpec): string {
  const endDate = spec.endDate ?? '2014-11-06';
  const submitDate = spec.submitDate ?? nextDay(endDate);
  let t = SAMPLE_2014.replaceAll('Firm Name:Citigroup Global Markets Inc.', `Firm Name:${spec.firmName}`)
    .replaceAll('End Date:11/6/2014', `End Date:${usDate(endDate)}`)
    .replaceAll('Submit Date:11/7/2014', `Submit Date:${usDate(submitDate)}`);
  if (spec.filingType === 'AMENDMENT') t = t.replaceAll('**INITIAL**', '**AMENDMENT**');
  if (spec.swapsCashCut) {
    const cut = spec.swapsCashCut;
    for (const code of ['8600', '8720', '8730', '8770']) t = setAmount(t, code, amountOf(t, code) - cut);
  }
  return t;
}

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return d.toISOString().slice(0, 10);
}
