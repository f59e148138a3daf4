namespace DpdkSharp.Samples.HelloHttp;

/// <summary>The app's endpoints: the same on DPDK and on kernel sockets.</summary>
internal static class Endpoints
{
    // Byte i of /bytes/{n} is i % 251: a block whose length is a multiple of 251 repeats exactly,
    // so the response streams from it without ever holding n bytes.
    private static readonly byte[] Pattern = MakePattern(251 * 256);

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => "Hello from DpdkSharp\n");
        app.MapGet("/json", () => Results.Json(new Greeting("Hello, World!")));
        app.MapGet("/bytes/{n:long}", BytesAsync);
        app.MapPost("/echo", EchoAsync);
    }

    private static async Task BytesAsync(HttpContext context, long n)
    {
        if (n < 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = n;
        var body = context.Response.BodyWriter;
        for (long sent = 0; sent < n;)
        {
            int chunk = (int)Math.Min(Pattern.Length, n - sent);
            var result = await body.WriteAsync(Pattern.AsMemory(0, chunk), context.RequestAborted);
            if (result.IsCompleted || result.IsCanceled)
            {
                return; // the client went away
            }
            sent += chunk;
        }
    }

    private static async Task EchoAsync(HttpContext context)
    {
        context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
        if (context.Request.ContentLength is long length)
        {
            context.Response.ContentLength = length;
        }
        // Streamed through: each block read from the request goes out before the next is read.
        await context.Request.BodyReader.CopyToAsync(context.Response.BodyWriter, context.RequestAborted);
    }

    private static byte[] MakePattern(int length)
    {
        var pattern = new byte[length];
        for (int i = 0; i < length; i++)
        {
            pattern[i] = (byte)(i % 251);
        }
        return pattern;
    }

    private sealed record Greeting(string Message);
}
