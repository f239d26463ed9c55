/**
 * The statement variants of the "Daily Seg - FOCUS II" filing, as data.
 *
 * Every line: its four-digit code, the line number printed on the form, the label, and for a
 * derived line the items it adds up (a leading "-" on an item means weight -1). `greaterOf` is the
 * 7360 rule, `equals` a line that must match a line on another page (summary 7370 = 7770), and
 * `parts` the uncoded sub-lines whose total a line is (Cleared Swaps 12A-12C = 8715).
 * `optional` lines may be absent without an error. `roles` say which line is the requirement,
 * the funds, the excess, the management target and the form's own "over (under) target".
 *
 * Adding a form version is adding an entry here: the parser, the reconciler, the generators and
 * the docs all read these definitions (validated in ./index.ts when loaded).
 */
import type { FormSetInput, LineInput } from './schema';

const segRequirements: LineInput[] = [
  { code: '7010', line: '1A', label: 'Net ledger balance - Cash' },
  { code: '7020', line: '1B', label: 'Net ledger balance - Securities (at market)' },
  {
    code: '7030',
    line: '2',
    label: 'Net unrealized profit (loss) in open futures contracts traded on a contract market',
  },
  { code: '7032', line: '3A', label: 'Add market value of open option contracts purchased on a contract market' },
  {
    code: '7033',
    line: '3B',
    label: 'Deduct market value of open option contracts granted (sold) on a contract market',
  },
  {
    code: '7040',
    line: '4',
    label: 'Net equity (deficit) (add lines 1, 2 and 3)',
    sum: ['7010', '7020', '7030', '7032', '7033'],
  },
  {
    code: '7045',
    line: '5',
    label: 'Accounts liquidating to a deficit and accounts with debit balances - gross amount',
  },
  { code: '7047', line: '5', label: 'Less: amount offset by customer securities' },
  { code: '7050', line: '5', label: 'Accounts liquidating to a deficit - net', sum: ['7045', '7047'] },
  { code: '7060', line: '6', label: 'Amount required to be segregated (add lines 4 and 5)', sum: ['7040', '7050'] },
  { code: '7070', line: '7A', label: 'Deposited in segregated funds bank accounts - Cash' },
  { code: '7080', line: '7B', label: "Securities representing investments of customers' funds (at market)" },
  {
    code: '7090',
    line: '7C',
    label: 'Securities held for particular customers or option customers in lieu of cash (at market)',
  },
  {
    code: '7100',
    line: '8A',
    label: 'Margins on deposit with derivatives clearing organizations of contract markets - Cash',
  },
  { code: '7110', line: '8B', label: "Securities representing investments of customers' funds (at market)" },
  {
    code: '7120',
    line: '8C',
    label: 'Securities held for particular customers or option customers in lieu of cash (at market)',
  },
  { code: '7130', line: '9', label: 'Net settlement from (to) derivatives clearing organizations of contract markets' },
  { code: '7132', line: '10A', label: 'Value of open long option contracts' },
  { code: '7133', line: '10B', label: 'Value of open short option contracts' },
  { code: '7140', line: '11A', label: 'Net equities with other FCMs - Net liquidating equity' },
];

const line11B = "Securities representing investments of customers' funds (at market)";
const line11C = 'Securities held for particular customers or option customers in lieu of cash (at market)';
const line12 = 'Segregated funds on hand';

const segFundsItems = [
  '7070',
  '7080',
  '7090',
  '7100',
  '7110',
  '7120',
  '7130',
  '7132',
  '7133',
  '7140',
  '7150',
  '7160',
  '7170',
];

const segTotals: LineInput[] = [
  { code: '7180', line: '13', label: 'Total amount in segregation (add lines 7 through 12)', sum: segFundsItems },
  {
    code: '7190',
    line: '14',
    label: 'Excess (deficiency) funds in segregation (subtract line 6 from line 13)',
    sum: ['7180', '-7060'],
  },
];
const segTarget: LineInput[] = [
  { code: '7194', line: '15', label: 'Management Target Amount for Excess funds in segregation' },
  {
    code: '7198',
    line: '16',
    label: 'Excess (deficiency) funds in segregation over (under) Management Target Amount Excess',
    sum: ['7190', '-7194'],
  },
];

/** 11B, 11C, 12 as the 2014 sample (and the official form) code them. */
const order2014: LineInput[] = [
  { code: '7160', line: '11B', label: line11B },
  { code: '7170', line: '11C', label: line11C },
  { code: '7150', line: '12', label: line12 },
];
/** 11B, 11C, 12 as the 2013 sample codes them. */
const order2013: LineInput[] = [
  { code: '7150', line: '11B', label: line11B },
  { code: '7160', line: '11C', label: line11C },
  { code: '7170', line: '12', label: line12 },
];

const segRoles = { required: '7060', funds: '7180', excess: '7190' };
const segTargetRoles = { ...segRoles, target: '7194', overTarget: '7198' };
const segTitles = ['Daily Segregation - Segregation Statement'];

const securedFunds: LineInput[] = [
  { code: '7500', line: '1A', label: 'Cash in banks - Banks located in the United States' },
  { code: '7520', line: '1B', label: 'Other banks qualified under Regulation 30.7' },
  { code: '7530', line: '1', label: 'Cash in banks - total', sum: ['7500', '7520'] },
  { code: '7540', line: '2A', label: 'Securities - In safekeeping with banks located in the United States' },
  { code: '7560', line: '2B', label: 'In safekeeping with other banks qualified under Regulation 30.7' },
  { code: '7570', line: '2', label: 'Securities - total', sum: ['7540', '7560'] },
  { code: '7580', line: '3A', label: 'Equities with registered futures commission merchants - Cash' },
  { code: '7590', line: '3B', label: 'Securities' },
  { code: '7600', line: '3C', label: 'Unrealized gain (loss) on open futures contracts' },
  { code: '7610', line: '3D', label: 'Value of long option contracts' },
  { code: '7615', line: '3E', label: 'Value of short option contracts' },
  {
    code: '7620',
    line: '3',
    label: 'Equities with registered futures commission merchants - total',
    sum: ['7580', '7590', '7600', '7610', '7615'],
  },
  { code: '7640', line: '4A', label: 'Amounts held by clearing organizations of foreign boards of trade - Cash' },
  { code: '7650', line: '4B', label: 'Securities' },
  { code: '7660', line: '4C', label: 'Amount due to (from) clearing organization - daily variation' },
  { code: '7670', line: '4D', label: 'Value of long option contracts' },
  { code: '7675', line: '4E', label: 'Value of short option contracts' },
  {
    code: '7680',
    line: '4',
    label: 'Amounts held by clearing organizations of foreign boards of trade - total',
    sum: ['7640', '7650', '7660', '7670', '7675'],
  },
  { code: '7700', line: '5A', label: 'Amounts held by members of foreign boards of trade - Cash' },
  { code: '7710', line: '5B', label: 'Securities' },
  { code: '7720', line: '5C', label: 'Unrealized gain (loss) on open futures contracts' },
  { code: '7730', line: '5D', label: 'Value of long option contracts' },
  { code: '7735', line: '5E', label: 'Value of short option contracts' },
  {
    code: '7740',
    line: '5',
    label: 'Amounts held by members of foreign boards of trade - total',
    sum: ['7700', '7710', '7720', '7730', '7735'],
  },
  { code: '7760', line: '6', label: 'Amounts with other depositories designated by a foreign board of trade' },
  { code: '7765', line: '7', label: 'Segregated funds on hand' },
  {
    code: '7770',
    line: '8',
    label: 'Total funds in separate section 30.7 accounts',
    sum: ['7530', '7570', '7620', '7680', '7740', '7760', '7765'],
  },
];

const securedTitles = ['Daily Segregation - Secured Amounts'];
const securedRequirements: LineInput[] = [
  {
    code: '7305',
    line: '',
    label:
      'Amount required to be set aside pursuant to law, rule or regulation of a foreign government or a rule of a self-regulatory organization authorized thereunder',
  },
  { code: '7315', line: '1A', label: 'Net ledger balance - Foreign Futures and Foreign Option Trading - Cash' },
  { code: '7317', line: '1B', label: 'Net ledger balance - Securities (at market)' },
  {
    code: '7325',
    line: '2',
    label: 'Net unrealized profit (loss) in open futures contracts traded on a foreign board of trade',
  },
  { code: '7335', line: '3A', label: 'Market value of open option contracts purchased on a foreign board of trade' },
  { code: '7337', line: '3B', label: 'Market value of open contracts granted (sold) on a foreign board of trade' },
  {
    code: '7345',
    line: '4',
    label: 'Net equity (deficit) (add lines 1. 2. and 3.)',
    sum: ['7315', '7317', '7325', '7335', '7337'],
  },
  {
    code: '7351',
    line: '5',
    label: 'Account liquidating to a deficit and account with a debit balances - gross amount',
  },
  { code: '7352', line: '5', label: 'Less: amount offset by customer owned securities' },
  { code: '7354', line: '5', label: 'Account liquidating to a deficit - net', sum: ['7351', '7352'] },
  {
    code: '7355',
    line: '6',
    label: 'Amount required to be set aside as the secured amount - Net Liquidating Equity Method (add lines 4 and 5)',
    sum: ['7345', '7354'],
  },
  {
    code: '7360',
    line: '7',
    label: 'Greater of amount required to be set aside pursuant to foreign jurisdiction (above) or line 6.',
    greaterOf: ['7305', '7355'],
  },
];
const securedExcess: LineInput = {
  code: '7380',
  line: '9',
  label: 'Excess (deficiency) Set Aside for Secured Amount (subtract line 7 Secured Statement Page 1 from Line 8)',
  sum: ['7770', '-7360'],
};
const securedTarget: LineInput[] = [
  { code: '7780', line: '10', label: 'Management Target Amount for Excess funds in separate section 30.7 accounts' },
  {
    code: '7785',
    line: '11',
    label: 'Excess (deficiency) funds in separate 30.7 accounts over (under) Management Target',
    sum: ['7380', '-7780'],
  },
];

const swapsRequirements: LineInput[] = [
  { code: '8500', line: '1A', label: 'Net ledger balance - Cash' },
  { code: '8510', line: '1B', label: 'Net ledger balance - Securities (at market)' },
  { code: '8520', line: '2', label: 'Net unrealized profit (loss) in open cleared swaps' },
  { code: '8530', line: '3A', label: 'Market value of open cleared swaps option contracts purchased' },
  { code: '8540', line: '3B', label: 'Market value of open cleared swaps option contracts granted (sold)' },
  {
    code: '8550',
    line: '4',
    label: 'Net Equity (deficit) (add lines 1, 2, and 3)',
    sum: ['8500', '8510', '8520', '8530', '8540'],
  },
  {
    code: '8560',
    line: '5',
    label: 'Accounts liquidating to a deficit and accounts with debit balances - gross amount',
  },
  { code: '8570', line: '5', label: 'Less: amount offset by customer owned securities' },
  { code: '8580', line: '5', label: 'Accounts liquidating to a deficit - net', sum: ['8560', '8570'] },
  {
    code: '8590',
    line: '6',
    label: 'Amount required to be segregated for cleared swaps customers (add lines 4 and 5)',
    sum: ['8550', '8580'],
  },
  { code: '8600', line: '7A', label: 'Deposited in cleared swaps customer segregated accounts at banks - Cash' },
  {
    code: '8610',
    line: '7B',
    label: "Securities representing investments of cleared swaps customers' funds (at market)",
  },
  {
    code: '8620',
    line: '7C',
    label: 'Securities held for particular cleared swaps customers in lieu of cash (at market)',
  },
  { code: '8630', line: '8A', label: 'Margins on deposit with derivatives clearing organizations - Cash' },
  {
    code: '8640',
    line: '8B',
    label: "Securities representing investments of cleared swaps customers' funds (at market)",
  },
  {
    code: '8650',
    line: '8C',
    label: 'Securities held for particular cleared swaps customers in lieu of cash (at market)',
  },
  { code: '8660', line: '9', label: 'Net settlement from (to) derivatives clearing organizations' },
  { code: '8670', line: '10A', label: 'Value of open cleared swaps long option contracts' },
  { code: '8680', line: '10B', label: 'Value of open cleared swaps short option contracts' },
  { code: '8690', line: '11A', label: 'Net equities with other FCMs - Net liquidating equity' },
  {
    code: '8700',
    line: '11B',
    label: "Securities representing investments of cleared swaps customers' funds (at market)",
  },
  {
    code: '8710',
    line: '11C',
    label: 'Securities held for particular cleared swaps customers in lieu of cash (at market)',
  },
  {
    code: '8715',
    line: '12',
    label: 'Cleared swaps customer funds on hand (total of 12A-12C)',
    parts: [
      { id: '12A', label: 'Cash' },
      { id: '12B', label: "Securities representing investments of cleared swaps customers' funds (at market)" },
      { id: '12C', label: 'Securities held for particular cleared swaps customers in lieu of cash (at market)' },
    ],
  },
  {
    code: '8720',
    line: '13',
    label: 'Total amount in cleared swaps customer segregation (add lines 7 through 12)',
    sum: ['8600', '8610', '8620', '8630', '8640', '8650', '8660', '8670', '8680', '8690', '8700', '8710', '8715'],
  },
  {
    code: '8730',
    line: '14',
    label: 'Excess (deficiency) funds in cleared swaps customer segregation (subtract line 6 from line 13)',
    sum: ['8720', '-8590'],
  },
];
const swapsTarget: LineInput[] = [
  { code: '8760', line: '15', label: 'Management Target Amount for Excess funds in cleared swaps segregated accounts' },
  {
    code: '8770',
    line: '16',
    label: 'Excess (deficiency) funds in cleared swaps customer segregation accounts over (under) Management Target',
    sum: ['8730', '-8760'],
  },
];
const swapsRoles = { required: '8590', funds: '8720', excess: '8730' };
const swapsTitles = ['Daily Segregation - Swaps Statement', 'Daily Segregation - Sequestration Statement'];

export const FORM_SET: FormSetInput = {
  form: 'Daily Seg - FOCUS II',
  statements: [
    {
      key: 'segregation',
      name: 'Segregation Statement',
      shortName: 'segregation',
      codeRange: ['7000', '7299'],
      rule: '17 CFR 1.20 and 1.32 (customer funds, CEA 4d(a)(2))',
    },
    {
      key: 'secured',
      name: 'Secured Amounts',
      shortName: 'secured amounts',
      codeRange: ['7300', '7999'],
      rule: '17 CFR 30.7 (foreign futures secured amount)',
    },
    {
      key: 'clearedSwaps',
      name: 'Cleared Swaps Statement',
      shortName: 'cleared swaps',
      codeRange: ['8500', '8799'],
      rule: '17 CFR 22.2 (cleared swaps customer collateral, CEA 4d(f))',
    },
  ],
  variants: [
    {
      id: 'segregation-2014-target',
      statement: 'segregation',
      description: 'Segregation Statement, official code order (11B 7160, 11C 7170, 12 7150), with lines 15-16',
      codeOrder: '2014',
      titles: segTitles,
      lines: [...segRequirements, ...order2014, ...segTotals, ...segTarget],
      roles: segTargetRoles,
    },
    {
      id: 'segregation-2014',
      statement: 'segregation',
      description: 'Segregation Statement, official code order, before lines 15-16 (pre-November 2013)',
      codeOrder: '2014',
      titles: segTitles,
      lines: [...segRequirements, ...order2014, ...segTotals],
      roles: segRoles,
    },
    {
      id: 'segregation-2013',
      statement: 'segregation',
      description: 'Segregation Statement, 2013 code order (11B 7150, 11C 7160, 12 7170), without lines 15-16',
      codeOrder: '2013',
      titles: segTitles,
      lines: [...segRequirements, ...order2013, ...segTotals],
      roles: segRoles,
    },
    {
      id: 'segregation-2013-target',
      statement: 'segregation',
      description: 'Segregation Statement, 2013 code order, with lines 15-16',
      codeOrder: '2013',
      titles: segTitles,
      lines: [...segRequirements, ...order2013, ...segTotals, ...segTarget],
      roles: segTargetRoles,
    },
    {
      id: 'secured-full-target',
      statement: 'secured',
      description:
        'Secured Amounts, full layout (requirement page from net ledger balance, funds page) with the management target, lines 10-11',
      titles: securedTitles,
      lines: [...securedRequirements, ...securedFunds, securedExcess, ...securedTarget],
      roles: { required: '7360', funds: '7770', excess: '7380', target: '7780', overTarget: '7785' },
    },
    {
      id: 'secured-full',
      statement: 'secured',
      description: 'Secured Amounts, full layout without the management target',
      titles: securedTitles,
      lines: [...securedRequirements, ...securedFunds, securedExcess],
      roles: { required: '7360', funds: '7770', excess: '7380' },
    },
    {
      id: 'secured-summary',
      statement: 'secured',
      description: 'Secured Amounts, summary layout: amount to be set aside, total funds (= funds page 7770), excess',
      titles: securedTitles,
      lines: [
        { code: '7360', line: '1', label: 'Amount to be set aside in separate section 30.7 accounts' },
        { code: '7370', line: '2', label: 'Total funds in separate section 30.7 accounts', equals: '7770' },
        {
          code: '7380',
          line: '3',
          label: 'Excess (deficiency) - (subtract line 1 from line 2)',
          sum: ['7370', '-7360'],
        },
        ...securedFunds,
      ],
      roles: { required: '7360', funds: '7370', excess: '7380' },
    },
    {
      id: 'cleared-swaps-target',
      statement: 'clearedSwaps',
      description: 'Cleared Swaps Customer Segregation statement with lines 15-16',
      titles: swapsTitles,
      lines: [...swapsRequirements, ...swapsTarget],
      roles: { ...swapsRoles, target: '8760', overTarget: '8770' },
    },
    {
      id: 'cleared-swaps',
      statement: 'clearedSwaps',
      description: 'Cleared Swaps (earlier: Sequestration, Cleared OTC Derivatives) statement without lines 15-16',
      titles: swapsTitles,
      lines: swapsRequirements,
      roles: swapsRoles,
    },
  ],
};
