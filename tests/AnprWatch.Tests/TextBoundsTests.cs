namespace AnprWatch.Tests;

/// <summary>
/// Issue 18, bounds: free text is refused before the store when it is longer than its SQL Server column, so a value
/// SQLite would keep whole never becomes a truncation error (or a lost audit entry) on SQL Server.
/// </summary>
public class TextBoundsTests
{
    [TestCase("--user", 129, "--user is 129 characters long; at most 128 are allowed")]
    [TestCase("--justification", 1001, "--justification is 1001 characters long; at most 1000 are allowed")]
    public async Task A_free_text_option_longer_than_its_column_exits_2_and_writes_nothing(string option, int length, string message)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("hits", "list", "--from", "2026-11-01", "--to", "2026-11-30", option, new string('x', length));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
            Assert.That(result.Err, Does.Contain(message));
            Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM audit_log"), Is.EqualTo(new[] { "0" }));
        });
    }

    [Test]
    public async Task Values_at_the_limit_are_stored_whole()
    {
        using var cli = new CliRunner();
        var user = new string('u', 128);
        var justification = new string('j', 1000);
        var result = await cli.RunAsync("hits", "list", "--from", "2026-11-01", "--to", "2026-11-30", "--user", user, "--justification", justification);
        Assert.That(result.ExitCode, Is.Zero, result.Err);
        Assert.That(await cli.ColumnAsync("SELECT length(actor) || ',' || length(justification) FROM audit_log"), Is.EqualTo(new[] { "128,1000" }));
    }
}
