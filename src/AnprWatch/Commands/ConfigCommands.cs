using System.CommandLine;
using System.Text.RegularExpressions;
using AnprWatch.Cli;
using AnprWatch.Hosting;
using AnprWatch.Worker;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Commands;

public static partial class ConfigCommands
{
    private const string Masked = "********";

    public static Command Build(CliContext context)
    {
        var check = new Command("check", "Validate the configuration as serve would and print the effective values, secrets masked.");
        check.SetAction(CliApp.Guard(context, async (_, _) =>
        {
            // The same validation serve runs at start: a bad value stops here with a message naming its key.
            _ = AppOptions.Load(context.Configuration);
            _ = ServeOptions.Load(context.Configuration);
            foreach (var (key, value) in context.Configuration.AsEnumerable().Where(p => p.Value is not null && IsOurs(p.Key)).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                await context.Out.WriteLineAsync($"{key} = {Mask(key, value!)}").ConfigureAwait(false);
            }

            await context.Err.WriteLineAsync("configuration is valid").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return new Command("config", "Configuration.") { check };
    }

    private static bool IsOurs(string key) => AppConfiguration.Sections.Any(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whole values of secret-looking keys, and password/secret parts of connection strings, are masked.</summary>
    public static string Mask(string key, string value)
    {
        if (SecretKey().IsMatch(key))
        {
            return Masked;
        }

        return ConnectionSecret().Replace(value, m => m.Groups["name"].Value + "=" + Masked);
    }

    [GeneratedRegex(@"(password|secret|token|sasl\.oauthbearer|ssl\.key|apikey|api_key)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"(?<name>password|pwd|user\s*password|secret|access\s*token)\s*=\s*[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionSecret();
}
