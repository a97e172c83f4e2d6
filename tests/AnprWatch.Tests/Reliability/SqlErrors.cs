using System.Reflection;
using Microsoft.Data.SqlClient;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// Real <see cref="SqlException"/> instances, as SqlClient itself builds them (its internal <c>SqlError</c> constructor,
/// <c>SqlErrorCollection.Add</c> and <c>SqlException.CreateException</c>), because SQL Server cannot run here and the
/// classifier must be tested on the type and number SqlClient really throws, not on a look-alike.
/// </summary>
public static class SqlErrors
{
    public static SqlException Create(int number, string message)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var ctor = typeof(SqlError).GetConstructors(Any)
            .Where(c => c.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(int))
            .OrderByDescending(c => c.GetParameters().Length)
            .First();
        var args = ctor.GetParameters().Select(p => p.Name switch
        {
            "infoNumber" => number,
            "errorState" => (byte)1,
            "errorClass" => (byte)14,
            "server" => "sql01",
            "errorMessage" => message,
            "procedure" => "",
            "lineNumber" => 1,
            _ => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null,
        }).ToArray();
        var error = (SqlError)ctor.Invoke(args);

        var errors = (SqlErrorCollection)Activator.CreateInstance(typeof(SqlErrorCollection), nonPublic: true)!;
        typeof(SqlErrorCollection).GetMethod("Add", Any, [typeof(SqlError)])!.Invoke(errors, [error]);

        var create = typeof(SqlException).GetMethods(Any)
            .Where(m => m.Name == "CreateException" && m.GetParameters() is [{ ParameterType: var e }, { ParameterType: var v }, ..] && e == typeof(SqlErrorCollection) && v == typeof(string))
            .OrderBy(m => m.GetParameters().Length)
            .First();
        var createArgs = create.GetParameters().Select((p, i) => i switch
        {
            0 => errors,
            1 => "17.0.0",
            _ => p.HasDefaultValue ? p.DefaultValue : (p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null),
        }).ToArray();
        return (SqlException)create.Invoke(null, createArgs)!;
    }
}
