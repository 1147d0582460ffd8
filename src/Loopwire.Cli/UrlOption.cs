using System.CommandLine;

namespace Loopwire.Cli;

/// <summary>An option whose value is an absolute http(s) URL.</summary>
/// <remarks>System.CommandLine has no built-in <see cref="Uri"/> conversion; a bad value is a parse error naming the option.</remarks>
internal static class UrlOption
{
    public static Option<Uri?> Create(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"{name} must be an absolute http:// or https:// URL, got '{text}'.");
            return null;
        },
    };
}
