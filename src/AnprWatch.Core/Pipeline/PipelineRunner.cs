namespace AnprWatch.Core.Pipeline;

/// <summary>The batch loop: next batch → process → let the source commit. Shared by the file and Kafka sources.</summary>
public static class PipelineRunner
{
    public static async Task RunAsync(IReadSource source, ReadPipeline pipeline, CancellationToken cancellationToken)
    {
        while (await source.NextBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            await pipeline.ProcessAsync(batch, cancellationToken).ConfigureAwait(false);
            await source.CompleteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }
}
