using Loopwire.Cli;

return await LoopwireCommand.Create().Parse(args).InvokeAsync();
