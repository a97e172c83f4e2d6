using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Storage.Access;

namespace AnprWatch.Commands;

public static class KeysCommands
{
    public static Command Build(CliContext context)
    {
        var role = new Option<string>("--role") { Description = "bureau, control-room, analyst or admin.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var name = new Option<string>("--name") { Description = "Who or what holds the key (unique; kept after revocation).", Required = true };
        var user = new Option<string>("--user") { Description = "Who is creating it (audit log)." };
        var forces = new Option<string[]>("--force") { Description = "A force the key may act for (repeatable). With no --force and no --region the key is national." };
        var region = new Option<string>("--region") { Description = "A region: every force of that region in the force table is in scope." };
        var create = new Command("create", "Create an API key. The key is printed once, alone on stdout; only its hash is stored.") { role, name, forces, region, user };
        create.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            try
            {
                // Resolved before the store is touched: an unknown force or region is exit 2 and names it.
                var scope = KeyScope.Resolve(parse.GetValue(forces), parse.GetValue(region));
                var key = await services.Keys.CreateAsync(parse.GetValue(name)!, parse.GetValue(role)!, scope, parse.GetValue(user) ?? CliContext.DefaultUser, ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync(key).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (ArgumentException ex)
            {
                throw new InvalidInputException(ex.Message);
            }
        }));

        var revokeName = new Option<string>("--name") { Description = "The key to revoke.", Required = true };
        var revokeUser = new Option<string>("--user") { Description = "Who is revoking it (audit log)." };
        var revoke = new Command("revoke", "Revoke an API key: it stops working at once.") { revokeName, revokeUser };
        revoke.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var keyName = parse.GetValue(revokeName)!;
            if (!await services.Keys.RevokeAsync(keyName, parse.GetValue(revokeUser) ?? CliContext.DefaultUser, ct).ConfigureAwait(false))
            {
                throw new InvalidInputException($"no active key named '{keyName}'");
            }

            await context.Err.WriteLineAsync($"revoked {keyName}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));

        var format = MarkersCommands.FormatOption();
        var list = new Command("list", "Every key (revoked ones too): role, scope, created, last used, revoked. Never the key itself.") { format };
        list.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var keys = await services.Keys.ListAsync(ct).ConfigureAwait(false);
            if (outputFormat == OutputFormat.Json)
            {
                Output.Json(context.Out, keys.Select(k => new
                {
                    name = k.Name, role = k.Role, scope = k.Scope.Label, forces = k.Scope.Forces, region = k.Scope.Region,
                    createdAt = k.CreatedAt, lastUsedAt = k.LastUsedAt, revokedAt = k.RevokedAt,
                }));
                return ExitCodes.Success;
            }

            Output.Rows(context.Out, outputFormat, ["name", "role", "scope", "created", "last_used", "revoked"],
                keys.Select(k => (IReadOnlyList<string?>)[k.Name, k.Role, k.Scope.Label, Output.Iso(k.CreatedAt),
                    k.LastUsedAt is { } used ? Output.Iso(used) : "never", k.RevokedAt is { } revoked ? Output.Iso(revoked) : ""]));
            return ExitCodes.Success;
        }));

        return new Command("keys", "API keys for the HTTP API and web pages (admin).") { create, revoke, list };
    }
}
