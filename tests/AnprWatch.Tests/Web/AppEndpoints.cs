using System.Reflection;
using AnprWatch.Cli;
using AnprWatch.Commands;
using AnprWatch.Worker;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace AnprWatch.Tests.Web;

/// <summary>One endpoint of the real app: method, route, declared policy or anonymity, and its handler's parameters.</summary>
public sealed record AppEndpoint(string Method, string Route, string? Policy, bool Anonymous, IReadOnlyList<ParameterInfo> Parameters);

public static class AppEndpoints
{
    /// <summary>The endpoint table of the app serve builds, read from its own data sources (nothing listed by hand).</summary>
    public static List<AppEndpoint> Table()
    {
        using var output = new StringWriter();
        var context = new CliContext(output, output, TestClock.Provider, () => Hosting.AppConfiguration.Build(["--Storage:ConnectionString=Data Source=:memory:", "--Source:Kind=none"]));
        var app = ServeCommand.Build(context, ServeOptions.Load(context.Configuration));
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new AppEndpoint(m, "/" + e.RoutePattern.RawText!.TrimStart('/'),
                    e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is not null),
                    e.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                    e.Metadata.GetOrderedMetadata<IParameterBindingMetadata>().Select(p => p.ParameterInfo).ToList())))
            .ToList();
    }
}
