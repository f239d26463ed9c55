/**
 * The two sample filings as printed: every amount, keyed by the code it is filed under, copied by
 * hand from test/fixtures/*.txt (these are the truth, not computed). Shared by the unit tests.
 */
import { readFileSync } from 'node:fs';
import type { StatementKey } from '../../shared/domain/forms';

export interface SampleTruth {
  name: string;
  path: string;
  header: {
    filingType: 'INITIAL' | 'AMENDMENT';
    endDate: string;
    submitDate: string;
    firmName: string;
    firmId: string;
    form: string;
  };
  variants: Record<StatementKey, string>;
  titles: Record<StatementKey, string>;
  codeOrder: '2013' | '2014';
  amounts: Record<StatementKey, Record<string, string>>;
  /** The uncoded 8715 sub-lines as printed (2013 prints 12C's amount and the total as one: only 12A and 12B stand alone). */
  uncoded: { id: string; amount: string }[];
}

const firm = {
  firmName: 'Citigroup Global Markets Inc.',
  firmId: 'citigroup-global-markets-inc',
  form: 'Daily Seg - FOCUS II',
};

export const SAMPLE_2013: SampleTruth = {
  name: 'citigroup-2013-06-18-amendment',
  path: 'test/fixtures/citigroup-2013-06-18-amendment.txt',
  header: { filingType: 'AMENDMENT', endDate: '2013-06-18', submitDate: '2013-06-19', ...firm },
  variants: { segregation: 'segregation-2013', secured: 'secured-summary', clearedSwaps: 'cleared-swaps' },
  titles: {
    segregation: 'Daily Segregation - Segregation Statement',
    secured: 'Daily Segregation - Secured Amounts',
    clearedSwaps: 'Daily Segregation - Sequestration Statement',
  },
  codeOrder: '2013',
  amounts: {
    secured: {
      7360: '996,128,635',
      7370: '1,169,376,731',
      7380: '173,248,096',
      7500: '286,214,407',
      7520: '0',
      7530: '286,214,407',
      7540: '0',
      7560: '276,062,612',
      7570: '276,062,612',
      7580: '0',
      7590: '0',
      7600: '0',
      7610: '0',
      7615: '0',
      7620: '0',
      7640: '0',
      7650: '0',
      7660: '0',
      7670: '0',
      7675: '0',
      7680: '0',
      7700: '557,495,222',
      7710: '21,691,629',
      7720: '26,928,538',
      7730: '6,733,409',
      7735: '-5,749,086',
      7740: '607,099,712',
      7760: '0',
      7765: '0',
      7770: '1,169,376,731',
    },
    segregation: {
      7010: '5,598,505,864',
      7020: '1,392,357,829',
      7030: '-76,329,662',
      7032: '1,043,742,387',
      7033: '-728,918,941',
      7040: '7,229,357,477',
      7045: '34,299,928',
      7047: '-29,540,566',
      7050: '4,759,362',
      7060: '7,234,116,839',
      7070: '4,069,114,414',
      7080: '0',
      7090: '77,059,933',
      7100: '49,756,091',
      7110: '1,791,281,738',
      7120: '1,311,867,686',
      7130: '-5,922,393',
      7132: '1,043,742,387',
      7133: '-728,918,941',
      7140: '37,229',
      7150: '0',
      7160: '3,430,210',
      7170: '0',
      7180: '7,611,448,354',
      7190: '377,331,515',
    },
    clearedSwaps: {
      8500: '596,023,373',
      8510: '794,063,730',
      8520: '1,003,777,392',
      8530: '0',
      8540: '0',
      8550: '2,393,864,495',
      8560: '12,657,079',
      8570: '-12,325,861',
      8580: '331,218',
      8590: '2,394,195,713',
      8600: '306,642,342',
      8610: '0',
      8620: '41,243,113',
      8630: '1,607,812,984',
      8640: '0',
      8650: '752,820,617',
      8660: '6,756,990',
      8670: '0',
      8680: '0',
      8690: '0',
      8700: '0',
      8710: '0',
      8715: '0',
      8720: '2,715,276,046',
      8730: '321,080,333',
    },
  },
  uncoded: [
    { id: '12A', amount: '0' },
    { id: '12B', amount: '0' },
  ],
};

export const SAMPLE_2014: SampleTruth = {
  name: 'citigroup-2014-11-06-initial',
  path: 'test/fixtures/citigroup-2014-11-06-initial.txt',
  header: { filingType: 'INITIAL', endDate: '2014-11-06', submitDate: '2014-11-07', ...firm },
  variants: {
    segregation: 'segregation-2014-target',
    secured: 'secured-full-target',
    clearedSwaps: 'cleared-swaps-target',
  },
  titles: {
    segregation: 'Daily Segregation - Segregation Statement',
    secured: 'Daily Segregation - Secured Amounts',
    clearedSwaps: 'Daily Segregation - Swaps Statement',
  },
  codeOrder: '2014',
  amounts: {
    secured: {
      7305: '0',
      7315: '539,548,594',
      7317: '242,817,782',
      7325: '46,963,529',
      7335: '5,007,487',
      7337: '-3,309,126',
      7345: '831,028,266',
      7351: '2,357,372',
      7352: '-2,329,959',
      7354: '27,413',
      7355: '831,055,679',
      7360: '831,055,679',
      7500: '641,407',
      7520: '340,727,172',
      7530: '341,368,579',
      7540: '242,817,782',
      7560: '0',
      7570: '242,817,782',
      7580: '0',
      7590: '0',
      7600: '0',
      7610: '0',
      7615: '0',
      7620: '0',
      7640: '0',
      7650: '0',
      7660: '0',
      7670: '0',
      7675: '0',
      7680: '0',
      7700: '457,137,597',
      7710: '0',
      7720: '46,704,462',
      7730: '5,007,487',
      7735: '-3,309,126',
      7740: '505,540,420',
      7760: '0',
      7765: '0',
      7770: '1,089,726,781',
      7380: '258,671,102',
      7780: '150,000,000',
      7785: '108,671,102',
    },
    segregation: {
      7010: '2,563,559,677',
      7020: '1,530,531,067',
      7030: '942,683,734',
      7032: '2,131,141,015',
      7033: '-2,065,365,453',
      7040: '5,102,550,040',
      7045: '59,033,484',
      7047: '-58,283,438',
      7050: '750,046',
      7060: '5,103,300,086',
      7070: '1,359,405,427',
      7080: '0',
      7090: '53,728,492',
      7100: '1,091,133,279',
      7110: '1,355,613,518',
      7120: '1,469,305,444',
      7130: '-14,678,946',
      7132: '2,131,141,015',
      7133: '-2,065,365,453',
      7140: '-64,025',
      7160: '0',
      7170: '7,497,131',
      7150: '0',
      7180: '5,387,715,882',
      7190: '284,415,796',
      7194: '252,400,000',
      7198: '32,015,796',
    },
    clearedSwaps: {
      8500: '6,200,450,376',
      8510: '1,546,270,523',
      8520: '-2,172,198,188',
      8530: '0',
      8540: '0',
      8550: '5,574,522,711',
      8560: '18,732,938',
      8570: '-18,391,765',
      8580: '341,173',
      8590: '5,574,863,884',
      8600: '475,412,011',
      8610: '0',
      8620: '34,889,257',
      8630: '3,738,317,630',
      8640: '0',
      8650: '1,511,381,266',
      8660: '52,672,256',
      8670: '0',
      8680: '0',
      8690: '0',
      8700: '0',
      8710: '0',
      8715: '0',
      8720: '5,812,672,420',
      8730: '237,808,536',
      8760: '208,075,000',
      8770: '29,733,536',
    },
  },
  uncoded: [
    { id: '12A', amount: '0' },
    { id: '12B', amount: '0' },
    { id: '12C', amount: '0' },
  ],
};

export const SAMPLES = [SAMPLE_2013, SAMPLE_2014];

/** `-1,234` as printed -> `-1234`, the canonical decimal string. */
export const canonical = (printed: string) => printed.replace(/,/g, '');

export const sampleText = (s: SampleTruth) => readFileSync(s.path, 'utf8');
export const sampleBytes = (s: SampleTruth) => readFileSync(s.path);
