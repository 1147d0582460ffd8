using System.ComponentModel.DataAnnotations;

namespace Loopwire.Agent.Loop;

/// <summary>Guard rails and model settings of the agent loop.</summary>
public sealed class AgentOptions
{
    /// <summary>The generic system prompt, used with any Responses server.</summary>
    public const string DefaultInstructions =
        "You are a careful coding agent working in a repository through tools. Explore with list_files, grep and read_file, " +
        "run the tests with run_tests, change code with edit_file (an exact-text replacement that must match once), and " +
        "re-run the tests after each change. When the tests pass, answer with a short summary of the fix and stop calling tools.";

    /// <summary>The model. <value>sim-spark</value></summary>
    [Required]
    public string Model { get; set; } = "sim-spark";

    /// <summary>System instructions. <value><see cref="DefaultInstructions"/></value></summary>
    public string Instructions { get; set; } = DefaultInstructions;

    /// <summary>Model calls per task; the last one is offered no tools, so it must answer. <value>200</value></summary>
    [Range(1, 10_000)]
    public int MaxIterations { get; set; } = 200;

    /// <summary>Turns in a row in which every tool call failed before the loop gives up. <value>8</value></summary>
    [Range(1, 1000)]
    public int MaxConsecutiveToolErrors { get; set; } = 8;

    /// <summary>How long one tool call may take before it is abandoned with an error result. <value>2 minutes</value></summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The <c>store</c> field of every request; null lets the transport decide (the HTTP transports force theirs, the
    /// WebSocket ones send false). True over <c>ws</c> makes every response retrievable and continuable on any node
    /// sharing the store. <value>null</value>
    /// </summary>
    public bool? Store { get; set; }

    /// <summary>Validates the options.</summary>
    /// <exception cref="ValidationException">A value is out of range.</exception>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
