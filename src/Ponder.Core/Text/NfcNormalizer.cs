using System.Text;
using Microsoft.ML.Tokenizers;

namespace Ponder.Text;

/// <summary>
/// The Hugging Face <c>NFC</c> normalizer (Qwen2). Needs ICU: with <c>InvariantGlobalization</c> on, .NET returns
/// the text unchanged, so decomposed input ("e\u0301") would tokenize differently from the reference.
/// </summary>
sealed class NfcNormalizer : Normalizer
{
    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
