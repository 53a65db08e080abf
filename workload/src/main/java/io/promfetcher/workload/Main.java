package io.promfetcher.workload;

/** Entry point of the workload jar: one subcommand per Hot URLs service. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.err.println("usage: java -jar workload.jar <tracker|resolver|cleaner|frontend|linkfarm>");
        System.exit(2);
    }
}
