"""Counters in Django's cache that take one round trip to Redis.

Django's cache API needs three commands to count (``add``, then ``incr``, which checks the
key exists before it increments); on Django's Redis backend the same is one pipelined
round trip here: ``SET key 0 NX [EX timeout]`` then ``INCR key``. Any other backend gets
the portable ``add`` + ``incr``. Values stay plain integers that ``cache.get`` reads.
"""

from django.core.cache.backends.redis import RedisCache


def count(cache, key, timeout=None, initial=0):
    """Add 1 to the integer at ``key`` (created at ``initial``, living ``timeout`` seconds);
    return the new value.

    The expiry is set only when the key is created, as ``cache.add`` does.
    """
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(name, write=True).pipeline(transaction=False)
        pipe.set(name, initial, ex=timeout, nx=True)
        pipe.incr(name)
        return pipe.execute()[1]
    cache.add(key, initial, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add() and incr(): start again
        cache.add(key, initial + 1, timeout=timeout)
        return initial + 1


def count_and_add(cache, count_key, count_timeout, add_key, add_timeout):
    """``count(cache, count_key, count_timeout)`` and ``cache.add(add_key, 1, add_timeout)``
    in one round trip to Redis; either key may be None (that step is skipped).

    Returns ``(new count or None, whether add_key was added or None)``.
    """
    if isinstance(cache, RedisCache) and count_key and add_key:
        names = [cache.make_and_validate_key(key) for key in (count_key, add_key)]
        pipe = cache._cache.get_client(names[0], write=True).pipeline(transaction=False)
        pipe.set(names[0], 0, ex=count_timeout, nx=True)
        pipe.incr(names[0])
        pipe.set(names[1], cache._cache._serializer.dumps(1), ex=add_timeout, nx=True)
        _created, counted, added = pipe.execute()
        return counted, bool(added)
    return (count(cache, count_key, count_timeout) if count_key else None,
            cache.add(add_key, 1, timeout=add_timeout) if add_key else None)
