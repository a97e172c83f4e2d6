using AnprWatch.Cli;
using Microsoft.Extensions.Configuration;
using static AnprWatch.Hosting.ConfigurationValues;

namespace AnprWatch.Board;

/// <summary>
/// <c>Board:ImageHosts</c>: the origins (<c>https://host[:port]</c>, comma-separated) the board may load plate and
/// overview images from; the board page's CSP <c>img-src</c> lists exactly these (<c>'none'</c> when empty) and an image
/// on any other host is not shown. <c>Board:ChangePoll</c> (default 1 s): how often one instance asks the store for
/// alerts and outcomes recorded by other instances, once for all its open boards.
/// </summary>
public sealed record BoardOptions(IReadOnlyList<string> ImageHosts, TimeSpan ChangePoll)
{
    public static readonly TimeSpan DefaultChangePoll = TimeSpan.FromSeconds(1);

    public static BoardOptions Load(IConfiguration configuration)
    {
        var hosts = new List<string>();
        var raw = configuration["Board:ImageHosts"] ?? "";
        foreach (var item in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            hosts.Add(Origin(item));
        }

        return new BoardOptions(hosts.Distinct(StringComparer.Ordinal).ToList(), PositiveSpan(configuration, "Board:ChangePoll", DefaultChangePoll));
    }

    /// <summary>The CSP <c>img-src</c> source list: exactly the allowed origins, nothing else.</summary>
    public string ImageSources => ImageHosts.Count == 0 ? "'none'" : string.Join(' ', ImageHosts);

    /// <summary>An origin as a browser compares it (<c>scheme://host[:port]</c>, lower case, default port omitted).</summary>
    private static string Origin(string item)
    {
        if (!Uri.TryCreate(item, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || uri.PathAndQuery is not ("/" or "") || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo)
            || item.EndsWith('/') && uri.AbsolutePath != "/")
        {
            throw new InvalidInputException($"configuration Board:ImageHosts: '{item}' is not an origin such as https://images.example.org (scheme, host and optional port; no path, query or wildcard)");
        }

        return uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}" : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
    }
}
