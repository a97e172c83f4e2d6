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
        var create = new Command("create", "Create an API key. The key is printed once, alone on stdout; only its hash is stored.") { role, name, user };
        create.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            try
            {
                var key = await services.Keys.CreateAsync(parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(user) ?? CliContext.DefaultUser, ct).ConfigureAwait(false);
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

        return new Command("keys", "API keys for the HTTP API and web pages (admin).") { create, revoke };
    }
}
