import type { Rng } from '../../../../src-shared/random';
import { between, pick } from '../vocab';
import type { DemoFamily, DemoProblem } from './types';

/** Two-digit addition and subtraction, one-digit-by-small multiplication, with column steps. */

type Op = '+' | '-' | 'x';

const PHRASINGS: Record<Op, ((a: number, b: number) => [string, string])[]> = {
  '+': [
    (a, b) => [`What is ${a} + ${b}?`, ''],
    (a, b) => [`Compute ${a} plus ${b}.`, ''],
    (a, b) => ['Add the two numbers.', `${a} and ${b}`],
    (a, b) => ['Find the sum.', `${a} + ${b}`],
  ],
  '-': [
    (a, b) => [`What is ${a} - ${b}?`, ''],
    (a, b) => [`Compute ${a} minus ${b}.`, ''],
    (a, b) => ['Subtract the second number from the first.', `${a}, ${b}`],
    (a, b) => ['Find the difference.', `${a} - ${b}`],
  ],
  x: [
    (a, b) => [`What is ${a} x ${b}?`, ''],
    (a, b) => [`Compute ${a} times ${b}.`, ''],
    (a, b) => ['Multiply the two numbers.', `${a} and ${b}`],
    (a, b) => ['Find the product.', `${a} x ${b}`],
  ],
};

function addSteps(a: number, b: number): string {
  const ones = (a % 10) + (b % 10);
  const carry = ones >= 10 ? 1 : 0;
  const tens = Math.floor(a / 10) + Math.floor(b / 10) + carry;
  const onesText =
    carry === 1
      ? `Add the ones: ${a % 10} + ${b % 10} = ${ones}, write ${ones % 10} and carry 1.`
      : `Add the ones: ${a % 10} + ${b % 10} = ${ones}.`;
  const tensText =
    carry === 1
      ? `Add the tens: ${Math.floor(a / 10)} + ${Math.floor(b / 10)} + 1 = ${tens}.`
      : `Add the tens: ${Math.floor(a / 10)} + ${Math.floor(b / 10)} = ${tens}.`;
  return `${onesText} ${tensText} So ${a} + ${b} = ${a + b}.`;
}

function subSteps(a: number, b: number): string {
  const tens = Math.floor(b / 10) * 10;
  const mid = a - tens;
  return (
    `Take away the tens first: ${a} - ${tens} = ${mid}. ` +
    `Then take away the ones: ${mid} - ${b % 10} = ${a - b}. So ${a} - ${b} = ${a - b}.`
  );
}

function mulSteps(a: number, b: number): string {
  const tens = Math.floor(b / 10) * 10;
  const ones = b % 10;
  if (tens === 0) {
    return `${a} x ${b} is ${a} groups of ${b}: ${Array(a).fill(b).join(' + ')} = ${a * b}.`;
  }
  if (ones === 0) {
    const unit = tens === 10 ? 'ten' : 'tens';
    return `${b} is ${tens / 10} ${unit}. ${a} x ${tens / 10} = ${(a * tens) / 10}, so ${a} x ${b} = ${a * b}.`;
  }
  return (
    `Split ${b} into ${tens} and ${ones}. ${a} x ${tens} = ${a * tens} and ` +
    `${a} x ${ones} = ${a * ones}. Add them: ${a * tens} + ${a * ones} = ${a * b}. ` +
    `So ${a} x ${b} = ${a * b}.`
  );
}

function make(rng: Rng): DemoProblem {
  const op = pick<Op>(rng, ['+', '-', 'x']);
  let a: number;
  let b: number;
  if (op === 'x') {
    a = between(rng, 2, 9);
    b = between(rng, 3, 29);
  } else {
    a = between(rng, 10, 99);
    b = between(rng, 10, 99);
    if (op === '-' && b > a) [a, b] = [b, a];
  }
  const value = op === '+' ? a + b : op === '-' ? a - b : a * b;
  const steps = op === '+' ? addSteps(a, b) : op === '-' ? subSteps(a, b) : mulSteps(a, b);
  const [instruction, input] = pick(rng, PHRASINGS[op])(a, b);
  // Slips a learner makes: off by one or ten, the wrong operation, a dropped carry.
  const noCarry =
    op === '+'
      ? (((a % 10) + (b % 10)) % 10) + (Math.floor(a / 10) + Math.floor(b / 10)) * 10
      : value + 10;
  const wrongOp = op === '+' ? a - b : op === '-' ? a + b : a + b;
  const wrong = [value + 1, value - 1, noCarry, value + 10, value - 10, wrongOp, value + 2]
    .filter((w) => w >= 0 && w !== value)
    .map(String);
  return {
    family: 'arithmetic',
    key: `arith:${a}${op}${b}`,
    instruction,
    input,
    answer: String(value),
    steps,
    wrong,
  };
}

export const arithmetic: DemoFamily = { name: 'arithmetic', make };
