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
    /// Whether <paramref name="text"/> holds a letter, number or private-use character (what the index keeps as words):
    /// punctuation and symbols separate words there, so a term of them alone would match nothing.
    /// </summary>
    private static bool HasWord(string text) =>
        text.EnumerateRunes().Any(r => Rune.IsLetter(r) || Rune.IsNumber(r) || Rune.GetUnicodeCategory(r) == UnicodeCategory.PrivateUse);
}
