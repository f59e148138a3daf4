namespace DpdkSharp.Generator.Tests.Emit;

/// <summary>
/// Bit-field properties against gcc's own bit-field code: C fills, C# reads; C# writes, C checks every field
/// (so a setter that clobbers a neighbour fails too). Covers signed (sign-extended), bool, 64-bit units,
/// bit-fields in an anonymous struct inside a union, and packed bit-fields straddling bytes.
/// </summary>
public class BitFieldTests
{
    [Fact]
    public void Round_trip_through_c()
    {
        var result = NativeFixture.Run("bitfields", """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    flags f = default; offload o = default; packed_bits p = default;
                    Native.bitfields_fill(&f, &o, &p);
                    var read = $"{f.a} {f.b:X} {f.c} {f.d} {f.e:X} {f.f:X} | {o.l2_len} {o.l3_len} {o.l4_len} {o.tso_segsz} {o.outer_l3_len} {o.outer_l2_len} | {p.head:X} {p.x:X} {p.y:X} {p.z}";
                    f.a = 3; f.b = 0x0123; f.c = -16; f.d = false; f.e = 0x123456789A; f.f = 0x3FFFFFFF;
                    o.l2_len = 127; o.l3_len = 1; o.l4_len = 255; o.tso_segsz = 9000; o.outer_l3_len = 0; o.outer_l2_len = 42;
                    p.head = 0x5A; p.x = 0x123; p.y = 0x0123456789ABCDEF; p.z = 255;
                    return $"{read} => {Native.bitfields_check(&f, &o, &p)}";
                }
            }
            """);
        Assert.Equal("5 1ABC -9 True ABCDEF1234 2BCDEF12 | 14 300 20 1460 257 99 | A5 FED FEDCBA987654321 -200 => 0", result);
    }

    [Fact]
    public void Packed_bit_fields_wider_than_any_window_use_the_covering_bytes()
    {
        var result = NativeFixture.Run("straddle", """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    straddle s = default;
                    Native.straddle_fill(&s);
                    var read = $"{sizeof(straddle)} {s.head:X} {s.wide:X} {s.signed_wide} {s.tail:X}";
                    s.head = 0x5; s.wide = 0x0123456789ABCDEF; s.signed_wide = 4611686018427387903; s.tail = 0x0A;
                    return $"{read} => {Native.straddle_check(&s)}";
                }
            }
            """);
        Assert.Equal("17 A FEDCBA9876543210 -1234567890123 15 => 0", result);
    }

    [Fact]
    public void Setters_mask_to_width_and_sign_extend()
    {
        var result = NativeFixture.Run("bitfields", """
            namespace Fixtures;
            public static unsafe class Probe
            {
                public static string Run()
                {
                    flags f = default;
                    f.b = 0x1FFF;
                    f.a = 0xFF;        // wider than 3 bits: C keeps the low bits, so do we
                    f.c = 15;          // the largest 5-bit signed value
                    var max = f.c;
                    f.c = -16;         // the smallest
                    offload o = default;
                    o.tx_offload = ulong.MaxValue;
                    o.l3_len = 0;      // clears bits 7..15 of the union's word only
                    return $"{f.a} {f.b:X} {max} {f.c} {o.tx_offload:X}";
                }
            }
            """);
        Assert.Equal("7 1FFF 15 -16 FFFFFFFFFFFF007F", result);
    }
}
