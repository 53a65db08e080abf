package io.promfetcher.scrape;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;

/** Counts body bytes as they come off the wire, before gzip decoding (stage="wire"). */
final class WireBytesCounter extends ChannelInboundHandlerAdapter {
    private final ScrapeMetrics metrics;

    WireBytesCounter(ScrapeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent content) {
            metrics.wireBytes(content.content().readableBytes());
        }
        ctx.fireChannelRead(msg);
    }
}
