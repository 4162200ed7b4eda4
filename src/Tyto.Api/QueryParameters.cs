using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Tyto.Api;

/// <summary>Parsing of query-string parameters into envelope errors that name the parameter.</summary>
public static class QueryParameters
{
    public static bool TryParseTime(string? value, string name, out DateTime? time, out IResult? error)
    {
        time = null;
        error = null;
        if (string.IsNullOrEmpty(value))
            return true;
        if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }
        error = ApiErrors.Validation(name, "must be an ISO 8601 time such as 2024-01-15T10:30:00Z");
        return false;
    }

    public static bool TryParseInt(string? value, string name, int min, int max, int fallback, out int number, out IResult? error)
    {
        error = null;
        number = fallback;
        if (string.IsNullOrEmpty(value))
            return true;
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number) && number >= min && number <= max)
            return true;
        error = ApiErrors.Validation(name, $"must be a whole number from {min} to {max}");
        return false;
    }
}
