namespace DpdkSharp.Stack.Tests;

/// <summary>
/// NetCounters indexes its arrays by the enums' values without range checks on the hot path: every member must
/// have a slot, which holds only while the values are exactly 0..n-1.
/// </summary>
public class CounterSlotTests
{
    [Fact]
    public void Layer_reason_and_stage_values_are_the_slots_0_to_n_minus_1()
    {
        Assert.Equal(Enumerable.Range(0, NetCounters.LayerCount), Enum.GetValues<NetLayer>().Select(v => (int)v).Order());
        Assert.Equal(Enumerable.Range(0, NetCounters.ReasonCount), Enum.GetValues<DropReason>().Select(v => (int)v).Order());
        Assert.Equal(Enumerable.Range(0, NetCounters.StageCount), Enum.GetValues<DropStage>().Select(v => (int)v).Order());
        Assert.Equal(NetCounters.SlottedLayers, NetCounters.LayerCount); // one named slot per layer in the object
    }

    [Fact]
    public void Every_layer_counts_in_its_own_slot()
    {
        var counters = new NetCounters();
        foreach (var layer in Enum.GetValues<NetLayer>())
        {
            counters.CountRx(layer, 10 + (int)layer);
            counters.CountTx(layer, 20 + (int)layer);
            counters.CountTx(layer, 20 + (int)layer);
        }
        foreach (var layer in Enum.GetValues<NetLayer>())
        {
            Assert.Equal(1, counters.ReceivedPackets(layer));
            Assert.Equal(10 + (int)layer, counters.ReceivedBytes(layer));
            Assert.Equal(2, counters.SentPackets(layer));
            Assert.Equal(2 * (20 + (int)layer), counters.SentBytes(layer));
        }
    }
}
