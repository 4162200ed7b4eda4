using Tyto.Host;

var app = TytoServer.Build(args);
await app.InitializeAsync();
await app.RunAsync();
