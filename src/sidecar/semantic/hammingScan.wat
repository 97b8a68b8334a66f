;; Hamming scan over packed sign-bit codes: the coarse pass of the semantic cache's lookup.
;; Assembled by `wabt` at build time (esbuild.mjs) into dist/hammingScan.wasm; bitIndex.ts drives
;; it and keeps a plain-JS scan with the same results as the reference and fallback.
;;
;; Layout (all offsets are byte addresses in the exported memory; the caller owns the layout):
;;   codes: n codes of `words` little-endian u64 each, code i at codes + i*words*8
;;   query: one code of `words` u64
;;   out:   distances: n i32;  top-K: k pairs (i32 distance, i32 slot), best first
;;
;; Top-K order is (distance, slot) ascending. Codes are visited in slot order and a newcomer only
;; displaces entries with a strictly greater distance, so ties keep the lower slot: exactly the
;; order a stable sort by distance gives, which the JS reference reproduces.
(module
	(memory (export "memory") 1)

	;; Distance of every code to the query (tests and diagnostics; the lookup uses topK).
	(func (export "distances") (param $codes i32) (param $n i32) (param $words i32) (param $query i32) (param $out i32)
		(local $i i32) (local $w i32) (local $p i32) (local $d i64)
		(local.set $p (local.get $codes))
		(block $done
			(loop $next
				(br_if $done (i32.ge_u (local.get $i) (local.get $n)))
				(local.set $d (i64.const 0))
				(local.set $w (i32.const 0))
				(block $codeDone
					(loop $word
						(br_if $codeDone (i32.ge_u (local.get $w) (local.get $words)))
						(local.set $d (i64.add (local.get $d) (i64.popcnt (i64.xor
							(i64.load (local.get $p))
							(i64.load (i32.add (local.get $query) (i32.shl (local.get $w) (i32.const 3))))))))
						(local.set $p (i32.add (local.get $p) (i32.const 8)))
						(local.set $w (i32.add (local.get $w) (i32.const 1)))
						(br $word)))
				(i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (i32.wrap_i64 (local.get $d)))
				(local.set $i (i32.add (local.get $i) (i32.const 1)))
				(br $next))))

	;; Inserts (d, slot) into the sorted top-K list at $out holding $count entries; returns the new
	;; count. Callers only call it when the list is not full or d beats the current worst.
	(func $insert (param $out i32) (param $count i32) (param $k i32) (param $d i32) (param $slot i32) (result i32)
		(local $j i32) (local $at i32)
		;; When full, the worst entry falls off the end.
		(local.set $j (select (local.get $count) (i32.sub (local.get $k) (i32.const 1)) (i32.lt_u (local.get $count) (local.get $k))))
		(block $placed
			(loop $shift
				(br_if $placed (i32.eqz (local.get $j)))
				(local.set $at (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
				(br_if $placed (i32.le_u (i32.load (i32.sub (local.get $at) (i32.const 8))) (local.get $d)))
				(i64.store (local.get $at) (i64.load (i32.sub (local.get $at) (i32.const 8))))
				(local.set $j (i32.sub (local.get $j) (i32.const 1)))
				(br $shift)))
		(local.set $at (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
		(i32.store (local.get $at) (local.get $d))
		(i32.store offset=4 (local.get $at) (local.get $slot))
		(select (i32.add (local.get $count) (i32.const 1)) (local.get $k) (i32.lt_u (local.get $count) (local.get $k))))

	;; Current admission bound: anything below it enters the list (the worst distance once full).
	(func $bound (param $out i32) (param $count i32) (param $k i32) (result i32)
		(if (result i32) (i32.lt_u (local.get $count) (local.get $k))
			(then (i32.const 0x7fffffff))
			(else (i32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 3)))))))

	;; The k nearest codes, any width. Returns how many pairs were written (min(k, n)).
	(func $topKGeneric (param $codes i32) (param $n i32) (param $words i32) (param $query i32) (param $k i32) (param $out i32) (result i32)
		(local $i i32) (local $w i32) (local $p i32) (local $d i64) (local $count i32) (local $bound i32)
		(local.set $p (local.get $codes))
		(local.set $bound (i32.const 0x7fffffff))
		(block $done
			(loop $next
				(br_if $done (i32.ge_u (local.get $i) (local.get $n)))
				(local.set $d (i64.const 0))
				(local.set $w (i32.const 0))
				(block $codeDone
					(loop $word
						(br_if $codeDone (i32.ge_u (local.get $w) (local.get $words)))
						(local.set $d (i64.add (local.get $d) (i64.popcnt (i64.xor
							(i64.load (local.get $p))
							(i64.load (i32.add (local.get $query) (i32.shl (local.get $w) (i32.const 3))))))))
						(local.set $p (i32.add (local.get $p) (i32.const 8)))
						(local.set $w (i32.add (local.get $w) (i32.const 1)))
						(br $word)))
				(if (i32.lt_u (i32.wrap_i64 (local.get $d)) (local.get $bound))
					(then
						(local.set $count (call $insert (local.get $out) (local.get $count) (local.get $k) (i32.wrap_i64 (local.get $d)) (local.get $i)))
						(local.set $bound (call $bound (local.get $out) (local.get $count) (local.get $k)))))
				(local.set $i (i32.add (local.get $i) (i32.const 1)))
				(br $next)))
		(local.get $count))

	;; 256-bit codes (4 words), the query held in locals: the production width.
	(func $topK4 (param $codes i32) (param $n i32) (param $query i32) (param $k i32) (param $out i32) (result i32)
		(local $q0 i64) (local $q1 i64) (local $q2 i64) (local $q3 i64)
		(local $i i32) (local $p i32) (local $d i32) (local $count i32) (local $bound i32)
		(local.set $q0 (i64.load offset=0 (local.get $query)))
		(local.set $q1 (i64.load offset=8 (local.get $query)))
		(local.set $q2 (i64.load offset=16 (local.get $query)))
		(local.set $q3 (i64.load offset=24 (local.get $query)))
		(local.set $p (local.get $codes))
		(local.set $bound (i32.const 0x7fffffff))
		(block $done
			(loop $next
				(br_if $done (i32.ge_u (local.get $i) (local.get $n)))
				(local.set $d (i32.wrap_i64 (i64.add
					(i64.add
						(i64.popcnt (i64.xor (i64.load offset=0 (local.get $p)) (local.get $q0)))
						(i64.popcnt (i64.xor (i64.load offset=8 (local.get $p)) (local.get $q1))))
					(i64.add
						(i64.popcnt (i64.xor (i64.load offset=16 (local.get $p)) (local.get $q2)))
						(i64.popcnt (i64.xor (i64.load offset=24 (local.get $p)) (local.get $q3)))))))
				(if (i32.lt_u (local.get $d) (local.get $bound))
					(then
						(local.set $count (call $insert (local.get $out) (local.get $count) (local.get $k) (local.get $d) (local.get $i)))
						(local.set $bound (call $bound (local.get $out) (local.get $count) (local.get $k)))))
				(local.set $p (i32.add (local.get $p) (i32.const 32)))
				(local.set $i (i32.add (local.get $i) (i32.const 1)))
				(br $next)))
		(local.get $count))

	(func (export "topK") (param $codes i32) (param $n i32) (param $words i32) (param $query i32) (param $k i32) (param $out i32) (result i32)
		(if (i32.eqz (local.get $k)) (then (return (i32.const 0))))
		(if (i32.eq (local.get $words) (i32.const 4))
			(then (return (call $topK4 (local.get $codes) (local.get $n) (local.get $query) (local.get $k) (local.get $out)))))
		(call $topKGeneric (local.get $codes) (local.get $n) (local.get $words) (local.get $query) (local.get $k) (local.get $out)))

	;; The width-generic path for any code width, exported so tests can check topK4 against it.
	(func (export "topKGeneric") (param $codes i32) (param $n i32) (param $words i32) (param $query i32) (param $k i32) (param $out i32) (result i32)
		(if (i32.eqz (local.get $k)) (then (return (i32.const 0))))
		(call $topKGeneric (local.get $codes) (local.get $n) (local.get $words) (local.get $query) (local.get $k) (local.get $out))))
