using AnprWatch.Cli;

namespace AnprWatch.Tests;

public sealed record CliResult(int ExitCode, string Out, string Err);

/// <summary>Runs `anprwatch` in-process against a real SQLite file in a fresh folder.</summary>
public sealed class CliRunner : IDisposable
{
    /// <param name="directory">Where the database and files go (created); a fresh temporary folder when null.</param>
    /// <param name="clock">The clock every command sees: <see cref="TestClock.Provider"/> unless a test fixes it.</param>
    /// <param name="createStore">
    /// Create the store with `anprwatch db migrate` when it does not exist yet, as an operator does before anything
    /// else (no command creates it by itself); false for tests of what happens without one.
    /// </param>
    public CliRunner(string? directory = null, TimeProvider? clock = null, bool createStore = true)
    {
        Clock = clock ?? TestClock.Provider;
        Directory = directory is null ? System.IO.Directory.CreateTempSubdirectory("anprwatch-cli-").FullName : System.IO.Directory.CreateDirectory(directory).FullName;
        Database = Path.Combine(Directory, "anprwatch.db");
        if (createStore && !File.Exists(Database))
        {
            var migrate = Task.Run(() => RunAsync("db", "migrate")).GetAwaiter().GetResult();
            if (migrate.ExitCode != 0)
            {
                throw new InvalidOperationException("db migrate failed: " + migrate.Err);
            }
        }
    }

    public string Directory { get; }
    public TimeProvider Clock { get; }
    public string Database { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, $"--Storage:ConnectionString=Data Source={Database}"], output, error, Clock);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Writes a marker CSV into the folder and imports it for <paramref name="force"/>; the import must succeed.</summary>
    public async Task<string> ImportCsvAsync(string force, string csv, string name = "markers.csv")
    {
        var path = PathOf(name);
        await File.WriteAllTextAsync(path, csv);
        var import = await RunAsync("markers", "import", path, "--force", force);
        Assert.That(import.ExitCode, Is.Zero, import.Err);
        return path;
    }

    /// <summary>The first column of every row a query returns, as text, read with a fresh unpooled connection.</summary>
    public async Task<List<string>> ColumnAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return values;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
