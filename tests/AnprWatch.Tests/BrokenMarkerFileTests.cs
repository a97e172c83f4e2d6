using System.Text;

namespace AnprWatch.Tests;

/// <summary>
/// Issue 4 item 6: each kind of broken marker file, loaded over a good list, is refused whole with exit code 2, a
/// message naming the problem (and its line), and the active list left exactly as it was.
/// </summary>
public class BrokenMarkerFileTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,action";

    public static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, byte[] content, string message) => new TestCaseData(content, message).SetName(name);
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        yield return Case("not UTF-8", [.. Utf8(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01,Caf"), 0xE9, .. Utf8("\n")], "not valid UTF-8");
        yield return Case("UTF-16 without a BOM", Encoding.Unicode.GetBytes(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01,x\n"), "looks like UTF-16");
        yield return Case("UTF-16 with a BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01,x\n")], "not valid UTF-8");
        yield return Case("empty file", [], "the file is empty");
        yield return Case("header only", Utf8(Header + "\r\n"), "no marker rows");
        yield return Case("CRLF with a bad line", Utf8(Header + "\r\nAB12CDE,SR-9,HIGH,kent,2099-01-01,x\r\nXX,SR-10,HIGH,kent,not-a-date,x\r\n"), "line 3: review_due 'not-a-date'");
        yield return Case("quoted newline then a bad line", Utf8(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01,\"two\nlines, with comma\"\n!!!,SR-10,HIGH,kent,2099-01-01,x\n"), "line 4: vrm is not a valid VRM");
        yield return Case("formula cell", Utf8(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01,\"=HYPERLINK(\"\"http://x\"\")\"\n"), "line 2: action begins with '='");
        yield return Case("wrong force", Utf8(Header + "\nAB12CDE,SR-9,HIGH,essex,2099-01-01,x\n"), "line 2: host_force 'essex' is not the force being loaded ('kent')");
        yield return Case("extra column", Utf8(Header + ",colour\nAB12CDE,SR-9,HIGH,kent,2099-01-01,x,red\n"), "unknown column 'colour'");
        yield return Case("unterminated quote", Utf8(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01,\"never closed\n"), "never closed");
        yield return Case("oversized field", Utf8(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01," + new string('a', 501) + "\n"), "line 2: action is longer than 500");
        yield return Case("over the size limit", Utf8(Header + "\nAB12CDE,SR-9,HIGH,kent,2099-01-01," + new string('a', 400) + "\n"), "over the 300-byte limit");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task A_broken_file_is_refused_whole_and_changes_nothing(byte[] content, string message)
    {
        using var cli = new CliRunner();
        var good = cli.PathOf("good.csv");
        await File.WriteAllTextAsync(good, Header + "\nGD12OOD,SR-1,HIGH,kent,2099-01-01,notify RIU\n");
        Assert.That((await cli.RunAsync("markers", "import", good, "--force", "kent")).ExitCode, Is.Zero);
        var before = (await cli.RunAsync("markers", "list", "--format", "json")).Out;
        var history = (await cli.RunAsync("markers", "history", "--force", "kent", "--format", "json")).Out;

        var broken = cli.PathOf("broken.csv");
        await File.WriteAllBytesAsync(broken, content);
        // A 300-byte limit for the size case only; the other cases are far below the default limit.
        string[] limit = message.Contains("limit", StringComparison.Ordinal) ? ["--Markers:MaxFileBytes=300"] : [];
        var result = await cli.RunAsync(["markers", "import", broken, "--force", "kent", .. limit]);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
            Assert.That(result.Err, Does.Contain(message));
            Assert.That(result.Err, Does.Contain("nothing was changed"));
            Assert.That((await cli.RunAsync("markers", "list", "--format", "json")).Out, Is.EqualTo(before));
            Assert.That((await cli.RunAsync("markers", "history", "--force", "kent", "--format", "json")).Out, Is.EqualTo(history));
        });
    }
}
