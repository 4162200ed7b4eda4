using System.Globalization;
using System.Text;

namespace Tyto.Actors.Logs;

/// <summary>One thing a log message must contain: a word or a phrase, whose last word may be only the start of one.</summary>
public sealed record LogSearchTerm(string Text, bool Prefix);

/// <summary>
/// The full-text syntax users type, independent of the database: words separated by spaces (all must occur),
/// <c>"a phrase"</c> (its words in that order), and <c>prefix*</c> (also <c>"a phr"*</c>). Nothing else is an operator.
/// </summary>
public static class LogSearchText
{
    /// <summary>The terms of <paramref name="text"/>; empty when it has none to search for.</summary>
    /// <exception cref="LogQueryException">An unclosed quote, a <c>*</c> that does not end a word, or nothing to search for.</exception>
    public static IReadOnlyList<LogSearchTerm> Parse(string text)
    {
        var terms = new List<LogSearchTerm>();
        var at = 0;
        while (at < text.Length)
        {
            if (char.IsWhiteSpace(text[at]))
            {
                at++;
                continue;
            }
            if (text[at] == '"')
            {
                var close = text.IndexOf('"', at + 1);
                if (close < 0)
                    throw new LogQueryException($"The quote at character {at + 1} is never closed.");
                var phrase = text[(at + 1)..close];
                at = close + 1;
                var prefix = at < text.Length && text[at] == '*';
                if (prefix)
                    at++;
                if (!HasWord(phrase))
                    throw new LogQueryException($"The phrase \"{phrase}\" holds no word to search for.");
                terms.Add(new LogSearchTerm(phrase, prefix));
                continue;
            }
            var end = at;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '"')
                end++;
            var word = text[at..end];
            at = end;
            var star = word.IndexOf('*');
            if (star >= 0 && star != word.Length - 1)
                throw new LogQueryException($"'{word}': a * may only end a word, as in error*.");
            var stem = star >= 0 ? word[..star] : word;
            if (HasWord(stem))
                terms.Add(new LogSearchTerm(stem, star >= 0));
            else if (star >= 0)
                throw new LogQueryException($"'{word}': a * must follow the start of a word, as in error*.");
        }
        if (terms.Count == 0 && !string.IsNullOrWhiteSpace(text))
            throw new LogQueryException("The search text holds no word to search for, only punctuation.");
        return terms;
    }

    /// <summary>
    /// The words of <paramref name="text"/> as the index keeps them: runs of letters, numbers and private-use
    /// characters, lower-cased and without diacritics; everything else separates them.
    /// </summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in text.Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
                continue;
            if (IsWordRune(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }
            if (word.Length > 0)
                words.Add(word.ToString());
            word.Clear();
        }
        if (word.Length > 0)
            words.Add(word.ToString());
        return words;
    }

    /// <summary>
    /// Whether <paramref name="text"/> holds a word: punctuation and symbols separate words, so a term of them alone
    /// would match nothing.
    /// </summary>
    private static bool HasWord(string text) => text.EnumerateRunes().Any(IsWordRune);

    private static bool IsWordRune(Rune rune) =>
        Rune.IsLetter(rune) || Rune.IsNumber(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.PrivateUse;
}
