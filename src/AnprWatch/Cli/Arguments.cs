using System.Globalization;
using AnprWatch.Core.Forces;

namespace AnprWatch.Cli;

/// <summary>Parsing of values System.CommandLine hands over as text, with messages that say what was expected.</summary>
public static class Arguments
{
    public static DateOnly Date(string? text, string option)
    {
        if (text is not null && DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        throw new InvalidInputException($"{option} '{text}' is not a date (expected YYYY-MM-DD, a UK local date)");
    }

    public static (DateOnly From, DateOnly To) Period(string? from, string? to)
    {
        var start = Date(from, "--from");
        var end = Date(to, "--to");
        if (end < start)
        {
            throw new InvalidInputException($"--to {to} is before --from {from}");
        }

        return (start, end);
    }

    public static Force Force(string? code)
    {
        if (ForceRegistry.TryGet(code, out var force))
        {
            return force;
        }

        throw new InvalidInputException($"--force '{code}' is not a known force code (e.g. avon-and-somerset, metropolitan; see DESIGN §3)");
    }

    public static FileInfo ExistingFile(FileInfo? file, string what)
    {
        if (file is null || !file.Exists)
        {
            throw new InvalidInputException($"{what} '{file?.FullName}' does not exist");
        }

        return file;
    }
}
