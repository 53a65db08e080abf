package io.promfetcher.scrape;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an instance connection: hands each response part to the scrape that owns the
 * connection right now, and closes the connection when it idles in the pool or receives bytes
 * nobody asked for. Confined to the connection's event loop.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {
    private InstanceScrape<?> current;

    void begin(InstanceScrape<?> scrape) {
        current = scrape;
    }

    void end() {
        current = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (current != null && msg instanceof HttpObject part) {
                current.onResponsePart(ctx.channel(), part);
            } else {
                ctx.close(); // an idle connection must stay silent
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InstanceScrape<?> scrape = current;
        current = null;
        if (scrape != null) {
            scrape.onConnectionLost(ctx.channel(), null);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        InstanceScrape<?> scrape = current;
        current = null;
        if (scrape != null) {
            scrape.onConnectionLost(ctx.channel(), cause);
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && current == null) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(event);
    }
}
