// Compiled only when a consumer's build regenerates the bindings (DpdkSharpRegenerateBindings, see
// buildTransitive/DpdkSharp.Bindings.targets): what the SDK adds to the repository's own build of this assembly
// (ImplicitUsings, DisableRuntimeMarshalling), which that compile, outside any project, must say itself.
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Linq;
global using System.Threading;
global using System.Threading.Tasks;

[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]
