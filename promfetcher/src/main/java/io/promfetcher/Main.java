package io.promfetcher;

public final class Main {
    public static void main(String[] args) {}
}
