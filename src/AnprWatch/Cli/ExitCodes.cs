namespace AnprWatch.Cli;

/// <summary>DESIGN §4.6.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;
    public const int Cancelled = 3;
}

/// <summary>Input a user can fix: reported as a message, exit code 2, no stack trace.</summary>
public class InvalidInputException(string message) : Exception(message);
