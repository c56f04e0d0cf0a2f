using System.Globalization;
using System.Text;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The reference scratchpad of the arithmetic task, designed for a ~5M-parameter byte-level model.
/// <para>Design: (1) the first line rewrites the operands with their digits REVERSED (least significant first) and, for
/// + and −, zero-padded to the same length, so column i is the i-th character of each operand — a fixed-offset copy
/// instead of a right-aligned lookup that small transformers learn poorly. (2) Every addition or subtraction column is
/// one literally true equation with the carry or borrow written in it (<c>7+8+0=15</c>, <c>17-8-0=9</c>), so each
/// step needs only the two digits, the previous step's carry and a one-digit table fact. A multiplication column is a
/// chain of two true steps, <c>7*8=56+5=61</c> (7·8 = 56, then 56 + 5 = 61): the table fact, then the carry. Written as
/// one step (<c>7*8+5=61</c>) the fact and the addition have to happen in one token, and most errors of a model
/// trained that way are exactly those columns (<c>2*9+7=29</c>). (3) Results are collected
/// reversed too (<c>s573</c>), i.e. in the order they are computed; the answer is that line read backwards.
/// (4) One procedure for multi-digit addition is reused verbatim inside multiplication, so it is learnt once.</para>
/// <para>Carry rules: addition's carry-out is the tens digit of the column sum; subtraction borrows when the column
/// is written with a leading 1 (<c>17-8-0=9</c> means 7 borrowed ten); multiplication's carry is the tens digit of
/// <c>d*m+c</c>. A non-zero final carry is appended to the reversed result.</para>
/// Examples (reasoning, then answer):
/// <code>
/// 347+28  r 743+820 / 7+8+0=15 4+2+1=7 3+0+0=3 s573 → 375
/// 28-347  28&lt;347 / r 743-820 / 17-8-0=9 4-2-1=1 3-0-0=3 s913 → -319
/// 347*28  r 743*82 / 7*8=56+0=56 4*8=32+5=37 3*8=24+3=27 p6772 / 7*2=14+0=14 4*2=8+1=9 3*2=6+0=6 p0496
///         a 6772+0496 / 6+0+0=6 7+4+0=11 7+9+1=17 2+6+1=9 s6179 → 9716
/// </code>
/// Multiplication: the operand with fewer digits (the second on a tie) is the multiplier; one partial product per
/// multiplier digit, shifted by prefixing zeros to its reversed digits (<c>p0496</c> is 6940); partials are summed
/// into a running total with the addition procedure (<c>a</c> line, then its columns).
/// </summary>
static class ArithmeticScratchpad
{
    public static (string Reasoning, string Answer) Write(long a, char op, long b) =>
        op switch
        {
            '+' => Add(a, b),
            '-' => Subtract(a, b),
            '*' => Multiply(a, b),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "operation must be +, - or *"),
        };

    static (string, string) Add(long a, long b)
    {
        var (x, y) = Pad(Reverse(a), Reverse(b));
        var sb = new StringBuilder().Append("r ").Append(x).Append('+').Append(y).Append('\n');
        string sum = AddColumns(x, y, sb);
        return (sb.ToString().TrimEnd('\n'), Forward(sum));
    }

    static (string, string) Subtract(long a, long b)
    {
        char cmp =
            a < b ? '<'
            : a > b ? '>'
            : '=';
        var (x, y) = Pad(Reverse(Math.Max(a, b)), Reverse(Math.Min(a, b)));
        var sb = new StringBuilder()
            .Append(a)
            .Append(cmp)
            .Append(b)
            .Append('\n')
            .Append("r ")
            .Append(x)
            .Append('-')
            .Append(y)
            .Append('\n');
        var digits = new StringBuilder();
        int borrow = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int m = x[i] - '0',
                s = y[i] - '0',
                d = m - s - borrow;
            if (d < 0)
                sb.Append('1');
            sb.Append(m)
                .Append('-')
                .Append(s)
                .Append('-')
                .Append(borrow)
                .Append('=')
                .Append(d < 0 ? d + 10 : d)
                .Append(' ');
            digits.Append(d < 0 ? d + 10 : d);
            borrow = d < 0 ? 1 : 0;
        }
        sb.Append('s').Append(digits);
        string magnitude = Forward(digits.ToString());
        return (sb.ToString(), cmp == '<' ? "-" + magnitude : magnitude);
    }

    static (string, string) Multiply(long a, long b)
    {
        var (m, k) = Digits(b) > Digits(a) ? (b, a) : (a, b);
        string x = Reverse(m),
            y = Reverse(k);
        var sb = new StringBuilder().Append("r ").Append(x).Append('*').Append(y).Append('\n');
        string total = "";
        for (int j = 0; j < y.Length; j++)
        {
            int d = y[j] - '0',
                carry = 0;
            var partial = new StringBuilder().Append('0', j);
            foreach (char c in x)
            {
                int product = (c - '0') * d,
                    v = product + carry;
                sb.Append(c)
                    .Append('*')
                    .Append(d)
                    .Append('=')
                    .Append(product)
                    .Append('+')
                    .Append(carry)
                    .Append('=')
                    .Append(v)
                    .Append(' ');
                partial.Append(v % 10);
                carry = v / 10;
            }
            if (carry > 0)
                partial.Append(carry);
            sb.Append('p').Append(partial).Append('\n');
            if (j == 0)
            {
                total = partial.ToString();
                continue;
            }
            var (u, w) = Pad(total, partial.ToString());
            sb.Append("a ").Append(u).Append('+').Append(w).Append('\n');
            total = AddColumns(u, w, sb);
        }
        return (sb.ToString().TrimEnd('\n'), Forward(total));
    }

    /// <summary>Writes one line of column additions of two equal-length reversed numbers and returns the reversed
    /// sum.</summary>
    static string AddColumns(string x, string y, StringBuilder sb)
    {
        var digits = new StringBuilder();
        int carry = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int v = (x[i] - '0') + (y[i] - '0') + carry;
            sb.Append(x[i]).Append('+').Append(y[i]).Append('+').Append(carry).Append('=').Append(v).Append(' ');
            digits.Append(v % 10);
            carry = v / 10;
        }
        if (carry > 0)
            digits.Append(carry);
        sb.Append('s').Append(digits).Append('\n');
        return digits.ToString();
    }

    static string Reverse(long n)
    {
        var chars = n.ToString(CultureInfo.InvariantCulture).ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    /// <summary>A reversed digit string read forwards, without leading zeros.</summary>
    static string Forward(string reversed)
    {
        var chars = reversed.ToCharArray();
        Array.Reverse(chars);
        string forward = new string(chars).TrimStart('0');
        return forward.Length == 0 ? "0" : forward;
    }

    static (string, string) Pad(string x, string y)
    {
        int n = Math.Max(x.Length, y.Length);
        return (x.PadRight(n, '0'), y.PadRight(n, '0'));
    }

    static int Digits(long n) => n.ToString(CultureInfo.InvariantCulture).Length;
}
