using System.Net;
using AnprWatch.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Web.Security;

/// <summary>
/// <c>Http:ForwardedHeaders:KnownProxies</c> (addresses) and <c>Http:ForwardedHeaders:KnownNetworks</c> (CIDR), each
/// separated by <c>;</c>: behind an ingress, <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from those proxies
/// only are believed, so the failed-sign-in throttle and the audit see the client's address and cookies are Secure on
/// HTTPS. Neither set (the default): the headers are ignored, and nobody can choose their own address by sending one.
/// Runs first in the pipeline (a startup filter), ahead of the throttle and authentication.
/// </summary>
public sealed class ForwardedHeadersSetup(IConfiguration configuration) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (Load(configuration) is { } options)
        {
            app.UseForwardedHeaders(options);
        }

        next(app);
    };

    public static ForwardedHeadersOptions? Load(IConfiguration configuration)
    {
        var proxies = Split(configuration["Http:ForwardedHeaders:KnownProxies"]);
        var networks = Split(configuration["Http:ForwardedHeaders:KnownNetworks"]);
        if (proxies.Length == 0 && networks.Length == 0)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidInputException($"configuration Http:ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address"));
        }

        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new InvalidInputException($"configuration Http:ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR network (e.g. 10.0.0.0/8)"));
        }

        return options;
    }

    private static string[] Split(string? value) => value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
