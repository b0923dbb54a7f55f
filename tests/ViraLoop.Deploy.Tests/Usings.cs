global using Xunit;
global using YamlDotNet.RepresentationModel;
