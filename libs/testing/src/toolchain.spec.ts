import { describe, expect, it } from 'vitest';
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class Dep { value = 42; }
@Injectable()
class Uses { constructor(readonly dep: Dep) {} }

describe('toolchain', () => {
  it('injects by emitted decorator metadata', async () => {
    const mod = await Test.createTestingModule({ providers: [Dep, Uses] }).compile();
    expect(mod.get(Uses).dep.value).toBe(42);
  });
});
