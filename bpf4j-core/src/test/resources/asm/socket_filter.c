#include "bpf4j_test.h"

SEC("socket") int bpf4j_socket(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u16 proto = load_half(skb, 12);
	__u8 ihl;
	__s32 s = (__s32)skb->mark;

	if (proto != 0x0800)
		return 0;
	ihl = load_byte(skb, 14) & 0x0f;
	if (load_word(skb, 14 + ihl * 4) == 0)
		return 0;
	if (s < -5 || (len & 0x4) || skb->protocol == __builtin_bswap16(0x86dd))
		return -1;
	if (len > 1500 && (s >> 2) >= 1)
		return len - (len % 7) / 3;
	return 64;
}

char LICENSE[] SEC("license") = "GPL";
