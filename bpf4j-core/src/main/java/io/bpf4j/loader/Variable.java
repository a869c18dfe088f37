package io.bpf4j.loader;

/**
 * A global variable of an object: which global data map holds it, where, and its size.
 *
 * @param btfTypeId its type in the object's BTF, 0 when the object has no BTF for it
 */
public record Variable(String name, String map, int offset, int size, int btfTypeId) {}
