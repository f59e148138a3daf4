using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Tests.Parsing;

/// <summary>How C types map to the model, with clang's spelling, size and alignment on every one.</summary>
public class TypeParsingTests
{
    private static readonly CModel Model = ParsedFixtures.Parse("types.h");
    private static CType T(string record, string field) => Model.Record(record).Field(field).Type;

    [Fact]
    public void Typedef_chains_are_preserved()
    {
        var port = Assert.IsType<CTypedefRef>(T("mixed", "port"));
        var portId = Assert.IsType<CTypedefRef>(port.Target);
        var uint16 = Assert.IsType<CTypedefRef>(portId.Target);
        Assert.Equal(("port_t", "port_id_t", "uint16_t"), (port.Name, portId.Name, uint16.Name));
        Assert.Equal(("port_t", 2L, 2L), (port.Spelling, port.Size, port.Align));
        Assert.Equal(CBuiltinKind.UShort, port.Builtin());
        Assert.Equal(portId, Model.FindTypedef("port_t")!.Target);
    }

    [Fact]
    public void Strings_bool_chars_and_long()
    {
        var name = Assert.IsType<CPointerType>(T("mixed", "name"));
        Assert.True(name.PointeeIsConst);
        Assert.Equal(("const char *", CBuiltinKind.CharSigned), (name.Spelling, name.Pointee.Builtin()));
        Assert.Equal((CBuiltinKind.Bool, "_Bool"), (T("mixed", "enabled").Builtin(), T("mixed", "enabled").Spelling));
        Assert.Equal(CBuiltinKind.CharSigned, T("mixed", "c").Builtin());
        Assert.Equal(CBuiltinKind.SChar, T("mixed", "sc").Builtin());
        Assert.Equal(CBuiltinKind.UChar, T("mixed", "uc").Builtin());
        Assert.Equal((CBuiltinKind.Long, 8L), (T("mixed", "l").Builtin(), T("mixed", "l").Size));
        Assert.Equal(CBuiltinKind.ULong, T("mixed", "ul").Builtin());
        Assert.Equal((CBuiltinKind.Long, CBuiltinKind.Long), (Model.Function("types_long").ReturnType.Builtin(), Model.Function("types_long").Parameters[0].Type.Builtin()));
    }

    [Fact]
    public void Plain_char_is_unsigned_when_the_target_says_so()
    {
        var model = ParsedFixtures.Parse("types.h", "-funsigned-char");
        Assert.Equal(CBuiltinKind.CharUnsigned, model.Record("mixed").Field("c").Type.Builtin());
        Assert.Equal(CBuiltinKind.SChar, model.Record("mixed").Field("sc").Type.Builtin());
    }

    [Fact]
    public void Atomic_is_its_value_type_with_its_spelling()
    {
        var refcnt = Assert.IsType<CTypedefRef>(T("mixed", "refcnt"));
        Assert.Equal(("uint32_t", "_Atomic(uint32_t)", 4L), (refcnt.Name, refcnt.Spelling, refcnt.Size));
        var device = Assert.IsType<CPointerType>(T("exotic", "atomic_device"));
        Assert.Equal(("opaque_device", "_Atomic(struct opaque_device *)"), (((CRecordRef)device.Pointee).Name, device.Spelling));
        Assert.Equal(CBuiltinKind.ULong, T("exotic", "counter").Builtin());
    }

    [Fact]
    public void Qualifiers_stay_in_the_spelling()
    {
        Assert.Equal("volatile uint32_t", T("exotic", "reg").Spelling);
        Assert.Equal("const char *const", T("exotic", "fixed_name").Spelling);
    }

    [Fact]
    public void Wide_integers_are_builtins()
    {
        Assert.Equal((CBuiltinKind.Int128, 16L, 16L), (T("mixed", "wide").Builtin(), T("mixed", "wide").Size, T("mixed", "wide").Align));
        Assert.Equal(CBuiltinKind.UInt128, T("exotic", "uwide").Builtin());
        Assert.Equal((96L, 16L), (Model.Record("mixed").Size, Model.Record("mixed").Align));
        Assert.Equal(384, Model.Record("mixed").Field("wide").OffsetBits);
    }

    [Fact]
    public void Vectors_and_long_double_are_unsupported_but_keep_their_layout()
    {
        var lanes = Assert.IsType<CUnsupportedType>(T("with_vector", "lanes").Bare());
        Assert.Contains("vector", lanes.Reason);
        Assert.Equal((16L, 16L), (lanes.Size, lanes.Align));
        Assert.Equal(128, Model.Record("with_vector").Field("lanes").OffsetBits);

        var ld = Assert.IsType<CUnsupportedType>(T("exotic", "ld"));
        Assert.Contains("long double", ld.Reason);
        Assert.Equal((16L, 16L, "long double"), (ld.Size, ld.Align, ld.Spelling));
        Assert.Equal((64L, 16L), (Model.Record("exotic").Size, Model.Record("exotic").Align));
        Assert.Equal([0L, 128, 256, 320, 384, 448], Model.Record("exotic").Fields.Select(f => f.OffsetBits));
        Assert.IsType<CUnsupportedType>(Model.Function("types_long_double").ReturnType);
    }

    [Fact]
    public void A_forward_declared_record_is_opaque()
    {
        var device = Model.Record("opaque_device");
        Assert.True(device.IsOpaque);
        Assert.Equal((-1L, -1L, "struct opaque_device"), (device.Size, device.Align, device.CSpelling));
        Assert.Empty(device.Fields);
        var pointer = Assert.IsType<CPointerType>(Model.Function("types_device").ReturnType);
        Assert.Equal(("struct opaque_device *", 8L, -1L), (pointer.Spelling, pointer.Size, pointer.Pointee.Size));
        Assert.Equal("opaque_device", ((CRecordRef)Model.FindTypedef("opaque_device_t")!.Target).Name);
    }

    [Fact]
    public void Function_pointers_in_parameters_fields_and_typedefs()
    {
        var model = ParsedFixtures.Parse("function_pointers.h");
        var compare = Assert.IsType<CFunctionPointerType>(model.FindTypedef("compare_fn")!.Target);
        Assert.Equal((CBuiltinKind.Int, 2, false), (compare.Return.Builtin(), compare.Parameters.Count, compare.IsVariadic));
        Assert.All(compare.Parameters, p => Assert.True(((CPointerType)p).PointeeIsConst));
        Assert.Equal(("int (*)(const void *, const void *)", 8L), (compare.Spelling, compare.Size));

        var ops = model.Record("ops");
        Assert.Equal((24L, 8L), (ops.Size, ops.Align));
        Assert.Equal("compare_fn", ((CTypedefRef)ops.Field("compare").Type).Name);
        var onEvent = Assert.IsType<CFunctionPointerType>(ops.Field("on_event").Type);   // callback_t *
        Assert.Equal(("callback_t *", 8L, "uint32_t"), (onEvent.Spelling, onEvent.Size, ((CTypedefRef)onEvent.Parameters[1]).Name));
        var hash = Assert.IsType<CFunctionPointerType>(ops.Field("hash").Type);
        Assert.Equal(["const void *", "uint32_t", "uint64_t"], hash.Parameters.Select(p => p.Spelling)); // typedef names kept
        Assert.Equal("uint64_t", hash.Return.Spelling);

        var apply = model.Function("fp_apply");
        var op = Assert.IsType<CFunctionPointerType>(apply.Parameters[0].Type);
        Assert.Equal(("op", "int (*)(int, int)"), (apply.Parameters[0].Name, op.Spelling));
        Assert.IsType<CTypedefRef>(model.Function("fp_sort_first").Parameters[0].Type);
    }
}
