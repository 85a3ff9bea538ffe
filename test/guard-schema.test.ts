import { GuardSchema, closest, guardAgainst } from '../lib/core/guard';

/**
 * The runtime guard's schema checker, driven with schemas of the tests' own so each rule is stated once, apart from
 * whichever generated props type happens to use it today (test/guard.test.ts covers the generated ones).
 */

class Widget {
  static fromName(): Widget {
    return new Widget();
  }
  static alpha(): Widget {
    return new Widget();
  }
  static readonly version = 1;
}
class Gadget extends Widget {}
/** A dependency's class: not among our classes, so matched by constructor name along the prototype chain. */
class Foreign {}
class ForeignChild extends Foreign {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const CLASSES: Record<string, Function> = { Widget };

/** The message guardAgainst throws for `value` against `schemas[type]`, or undefined when it passes. */
function message(schemas: Record<string, GuardSchema>, value: unknown, type = 'Root', prefix = ''): string | undefined {
  try {
    guardAgainst({ schema: (n) => schemas[n], constructorOf: (n) => CLASSES[n] }, type, value, prefix);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
const one = (schema: GuardSchema, value: unknown, prefix = 'p') => message({ Root: schema }, value, 'Root', prefix);

describe('JSON types', () => {
  test.each<[string, unknown, string | undefined]>([
    ['string', 'x', undefined],
    ['string', 1, 'p: got 1; must be a string'],
    ['number', 1.5, undefined],
    ['number', NaN, 'p: got NaN; must be a finite number'],
    ['number', -Infinity, 'p: got -Infinity; must be a finite number'],
    ['number', '1', 'p: got "1"; must be a finite number'],
    ['integer', 3, undefined],
    ['integer', 3.5, 'p: got 3.5; must be an integer'],
    ['integer', '3', 'p: got "3"; must be an integer'],
    ['boolean', false, undefined],
    ['boolean', 0, 'p: got 0; must be a boolean (true or false)'],
    ['null', null, undefined],
    ['null', undefined, 'p: got undefined; must be null'],
    ['null', 0, 'p: got 0; must be null'],
    ['array', [], undefined],
    ['array', {}, 'p: got {}; must be an array'],
    ['array', 'ab', 'p: got "ab"; must be an array'],
    ['object', {}, undefined],
    ['object', [], 'p: got []; must be an object'],
    ['object', null, 'p: got null; must be an object'],
    ['object', 'o', 'p: got "o"; must be an object'],
    ['object', new Map(), 'p: got Map {}; must be an object'],
    ['object', Object.create(null), undefined],
    ['quaternion', 42, 'p: got 42; must be quaternion'],
  ])('%s against %p', (type, value, expected) => {
    expect(one({ type }, value)).toBe(expected);
  });
  test('a type list takes a value of any one of its types, and names them all otherwise', () => {
    expect(one({ type: ['string', 'null'] }, null)).toBeUndefined();
    expect(one({ type: ['string', 'null'] }, 'x')).toBeUndefined();
    expect(one({ type: ['string', 'integer', 'null'] }, true)).toBe('p: got true; must be a string, an integer or null');
  });
  test('a schema without a type, const or enum takes any value, even one shaped like its properties', () => {
    for (const v of [1, 'x', null, [1], { a: 1 }]) expect(one({}, v)).toBeUndefined();
    expect(one({ properties: { a: { type: 'string' } } }, { a: 1, b: 2 })).toBeUndefined();
  });
  test('a class instance is an object only where the schema has properties (an interface a class may implement)', () => {
    expect(one({ type: 'object', properties: { a: { type: 'string' } } }, new Widget())).toBeUndefined();
    expect(one({ type: 'object', additionalProperties: { type: 'string' } }, new Widget())).toBe(
      'p: got Widget {}; must be an object whose values are strings',
    );
    // A plain object under an interface is checked for shape; an instance of a class is not.
    expect(one({ type: 'object', properties: { a: { type: 'string' } } }, { b: 1 })).toMatch(/^p\.b: got 1; unknown property of Root/);
  });
});

describe('const and enum', () => {
  test('const is compared with Object.is and described as JSON', () => {
    expect(one({ const: 'on' }, 'on')).toBeUndefined();
    expect(one({ const: 'on' }, 'off')).toBe('p: got "off"; must be "on"');
    expect(one({ const: 0 }, -0)).toBe('p: got 0; must be 0');
    expect(one({ const: false }, 0)).toBe('p: got 0; must be false');
  });
  test('enum takes exactly its members', () => {
    expect(one({ enum: ['a', 'b', 1] }, 1)).toBeUndefined();
    expect(one({ enum: ['a', 'b', 1] }, 'b')).toBeUndefined();
    expect(one({ enum: ['a', 'b', 1] }, '1')).toBe('p: got "1"; must be "a", "b" or 1');
    expect(one({ enum: [NaN] }, NaN)).toBeUndefined();
  });
  test('a const or enum together with a type must satisfy both', () => {
    expect(one({ type: 'string', enum: ['a', 1] }, 1)).toBe('p: got 1; must be "a" or 1');
    expect(one({ type: 'integer', const: 1.5 }, 1.5)).toBe('p: got 1.5; must be 1.5');
  });
});

describe('arrays', () => {
  const list: GuardSchema = { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 3 };
  test('minItems and maxItems are inclusive bounds', () => {
    expect(one(list, ['a'])).toBe('p: got ["a"]; must have at least 2 items');
    expect(one(list, ['a', 'b'])).toBeUndefined();
    expect(one(list, ['a', 'b', 'c'])).toBeUndefined();
    expect(one(list, ['a', 'b', 'c', 'd'])).toBe('p: got ["a","b","c","d"]; must have at most 3 items');
    expect(one({ type: 'array', minItems: 0 }, [])).toBeUndefined();
    expect(one({ type: 'array', maxItems: 0 }, [1])).toBe('p: got [1]; must have at most 0 items');
  });
  test('every item is checked, and the first wrong one is named by its index', () => {
    expect(one(list, ['a', 'b', 3])).toBe('p[2]: got 3; must be a string');
    expect(one({ type: 'array', items: { type: 'integer' } }, [1, 'x', 'y'])).toBe('p[1]: got "x"; must be an integer');
  });
  test('a tuple checks each position against its own schema and leaves extra items alone', () => {
    const tuple: GuardSchema = { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] };
    expect(one(tuple, ['a', 1, { any: 'thing' }])).toBeUndefined();
    expect(one(tuple, ['a', 'b'])).toBe('p[1]: got "b"; must be an integer');
    expect(one(tuple, [1, 1])).toBe('p[0]: got 1; must be a string');
    expect(one({ type: 'object', properties: { t: tuple } }, { t: 1 })).toBe('p.t: got 1; must be an array');
  });
  test('arrays are described by their items', () => {
    expect(one({ type: 'array', items: { type: 'integer' } }, 'x')).toBe('p: got "x"; must be an array of integers');
    expect(one({ type: 'array', items: { type: 'number' } }, 'x')).toBe('p: got "x"; must be an array of finite numbers');
    expect(one({ type: 'array', items: { type: 'boolean' } }, 'x')).toBe('p: got "x"; must be an array of booleans (true or false)');
    expect(one({ type: 'array', items: { type: 'array', items: { type: 'string' } } }, 'x')).toBe('p: got "x"; must be an array of arrays of strings');
    expect(one({ type: 'array', items: { $ref: '#/definitions/Item' } }, 'x', 'p')).toBeDefined();
    expect(message({ Root: { type: 'array', items: { $ref: '#/definitions/Item' } }, Item: { type: 'object', properties: {} } }, 'x', 'Root', 'p')).toBe(
      'p: got "x"; must be an array of objects (Item)',
    );
    expect(one({ type: 'array', items: { const: 'a' } }, 'x')).toBe('p: got "x"; must be an array of "a"');
    expect(one({ type: 'array', items: { type: 'null' } }, 'x')).toBe('p: got "x"; must be an array of null');
    expect(one({ type: 'array', items: [{ type: 'string' }] }, 'x')).toBe('p: got "x"; must be an array');
    expect(one({ type: 'array', items: { anyOf: [{ type: 'null' }, { type: 'string' }] } }, 'x')).toBe('p: got "x"; must be an array of null or a string');
  });
});

describe('objects', () => {
  const shape: GuardSchema = {
    type: 'object',
    properties: { name: { type: 'string' }, port: { type: 'integer' }, nested: { type: 'object', properties: { on: { type: 'boolean' } } } },
    required: ['name'],
  };
  test('a required property must be present and not undefined', () => {
    expect(one(shape, { name: 'a' })).toBeUndefined();
    expect(one(shape, {})).toBe('p.name: got undefined; is required: a string');
    expect(one(shape, { name: undefined })).toBe('p.name: got undefined; is required: a string');
    expect(one({ type: 'object', properties: {}, required: ['ghost'] }, {})).toBe('p.ghost: got undefined; is required: any value');
    expect(one(shape, { name: null })).toBe('p.name: got null; must be a string');
  });
  test('an optional property given as undefined is absent; any other value is checked', () => {
    expect(one(shape, { name: 'a', port: undefined })).toBeUndefined();
    expect(one(shape, { name: 'a', port: 1.5 })).toBe('p.port: got 1.5; must be an integer');
    expect(one(shape, { name: 'a', nested: { on: 'yes' } })).toBe('p.nested.on: got "yes"; must be a boolean (true or false)');
  });
  test('unknown keys: refused under properties or additionalProperties false, named with a suggestion and the sorted known list', () => {
    expect(one(shape, { name: 'a', prot: 1 })).toBe('p.prot: got 1; unknown property of Root; did you mean "port"? known properties: name, nested, port');
    expect(one(shape, { name: 'a', zzzzzz: 1 })).toBe('p.zzzzzz: got 1; unknown property of Root; known properties: name, nested, port');
    expect(one({ type: 'object', additionalProperties: false }, { a: 1 })).toBe('p.a: got 1; unknown property of Root; it takes no properties');
    expect(one({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true }, { b: 1 })).toBeUndefined();
    expect(one({ type: 'object' }, { b: 1 })).toBeUndefined();
    expect(one({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }, { b: 1 })).toBe(
      'p.b: got 1; unknown property of Root; did you mean "a"? known properties: a',
    );
  });
  test('keys are checked in sorted order, so the first problem reported does not depend on how the object was written', () => {
    const s: GuardSchema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } };
    expect(one(s, { b: 1, a: 2 })).toBe('p.a: got 2; must be a string');
    expect(one(s, { zz: 1, yy: 2 })).toMatch(/^p\.yy: got 2;/);
  });
  test('a record checks each value against additionalProperties, names odd keys in brackets, and skips undefined values', () => {
    const record: GuardSchema = { type: 'object', additionalProperties: { type: 'integer' } };
    expect(one(record, { a: 1, 'x.y/z': 2 })).toBeUndefined();
    expect(one(record, { a: undefined })).toBeUndefined();
    expect(one(record, { a: 1, b: 'x' })).toBe('p.b: got "x"; must be an integer');
    expect(one(record, { 'x.y/z': 'two' })).toBe('p["x.y/z"]: got "two"; must be an integer');
    expect(one(record, [])).toBe('p: got []; must be an object whose values are integers');
    expect(one({ type: 'object', additionalProperties: { type: 'object', properties: {} } }, 1, 'p')).toBe(
      'p: got 1; must be an object whose values are objects (Root)',
    );
  });
  test('a credential-named unknown key never has its value shown', () => {
    expect(one(shape, { name: 'a', password: 'hunter2' })).toBe('p.password: got "<redacted>"; unknown property of Root; known properties: name, nested, port');
    expect(one(shape, { name: 'a', apiToken: 'hunter2' })).toMatch(/^p\.apiToken: got "<redacted>";/);
    expect(one(shape, { name: 'a', colour: 'blue' })).toMatch(/^p\.colour: got "blue";/);
    // Whatever its type: a boolean or an object under a credential name is not shown either.
    expect(one(shape, { name: 'a', password: { value: 'x' } })).toMatch(/^p\.password: got "<redacted>";/);
    expect(one(shape, { name: 'a', apiToken: true })).toMatch(/^p\.apiToken: got "<redacted>";/);
    expect(one({ type: 'object', properties: { a: { type: 'string' } } }, { 'db-password': { v: 1 } })).toMatch(/^p\["db-password"\]: got "<redacted>";/);
  });
});

describe('type names in messages', () => {
  const defs: Record<string, GuardSchema> = {
    Root: { type: 'object', properties: { inner: { $ref: '#/definitions/Inner' }, inline: { type: 'object', properties: { a: { type: 'string' } } } } },
    Inner: { type: 'object', properties: { a: { type: 'string' } } },
    'Omit<BaseProps,"x">': { type: 'object', properties: { a: { type: 'string' } } },
    'Partial<Options>': { type: 'object', properties: { a: { type: 'string' } } },
    'Partial<Omit<Options,"x">>': { type: 'object', properties: { a: { type: 'string' } } },
    'Box<Partial<Options>>': { type: 'object', properties: { a: { type: 'string' } } },
    'Partial<Options>Extra': { type: 'object', properties: { a: { type: 'string' } } },
    'Omit<Options,"x">': { type: 'object', properties: { a: { type: 'string' } } },
    Alias: { $ref: '#/definitions/Inner' },
  };
  test('a $ref and the top level are named by type; an inline object by its path', () => {
    expect(message(defs, { zzzz: 1 })).toBe('zzzz: got 1; unknown property of Root; known properties: inline, inner');
    expect(message(defs, { inner: { zzzz: 1 } })).toBe('inner.zzzz: got 1; unknown property of Inner; known properties: a');
    expect(message(defs, { inline: { zzzz: 1 } })).toBe('inline.zzzz: got 1; unknown property of inline; known properties: a');
    expect(message(defs, { inner: 5 })).toBe('inner: got 5; must be an object (Inner)');
    expect(message(defs, 5)).toBe('props: got 5; must be an object (Root)');
  });
  test('Omit<T, …> and Partial<T> read as T, only when the whole name is one', () => {
    const named = (type: string) => message(defs, { zzzz: 1 }, type)?.replace(/^zzzz: got 1; unknown property of (.*); known properties: a$/, '$1');
    expect(named('Omit<BaseProps,"x">')).toBe('BaseProps');
    expect(named('Omit<Options,"x">')).toBe('Options');
    expect(named('Partial<Options>')).toBe('Options');
    expect(named('Partial<Omit<Options,"x">>')).toBe('Omit<Options,"x">');
    expect(named('Box<Partial<Options>>')).toBe('Box<Partial<Options>>');
    expect(named('Partial<Options>Extra')).toBe('Partial<Options>Extra');
  });
  test('$refs resolve through aliases and URI-encoded names', () => {
    expect(message(defs, { a: 1 }, 'Alias')).toBe('a: got 1; must be a string');
    expect(message(defs, { zzzz: 1 }, 'Alias')).toBe('zzzz: got 1; unknown property of Inner; known properties: a');
    const encoded = { ...defs, Root: { type: 'object', properties: { o: { $ref: `#/definitions/${encodeURIComponent('Omit<Options,"x">')}` } } } };
    expect(message(encoded, { o: { zzzz: 1 } })).toBe('o.zzzz: got 1; unknown property of Options; known properties: a');
  });
  test('a cycle of $refs ends after a bounded number of hops instead of hanging', () => {
    expect(message({ Root: { $ref: '#/definitions/A' }, A: { $ref: '#/definitions/B' }, B: { $ref: '#/definitions/A' } }, 1)).toBeUndefined();
  });
  test('a prefix is the path of the props as written', () => {
    expect(message(defs, { zzzz: 1 }, 'Root', 'components.api')).toBe('components.api.zzzz: got 1; unknown property of Root; known properties: inline, inner');
    expect(message(defs, 7, 'Root', 'components.api')).toBe('components.api: got 7; must be an object (Root)');
  });
  test('an unknown type name is a programming error that says how to fix it', () => {
    expect(() => guardAgainst({ schema: () => undefined, constructorOf: () => undefined }, 'Missing', {}, '')).toThrow(
      'guardProps: no generated schema for Missing; run npm run gen:schemas',
    );
  });
});

describe('class-typed props', () => {
  const s: GuardSchema = { instanceOf: 'Widget' };
  test('an instance of the class or a subclass passes; anything else is named with the factories that make one', () => {
    expect(one(s, new Widget())).toBeUndefined();
    expect(one(s, new Gadget())).toBeUndefined();
    expect(one(s, { fromName: 1 })).toBe('p: got {"fromName":1}; must be a Widget instance (from Widget.alpha(), Widget.fromName())');
    expect(one(s, 12)).toBe('p: got 12; must be a Widget instance (from Widget.alpha(), Widget.fromName())');
    expect(one(s, null)).toBe('p: got null; must be a Widget instance (from Widget.alpha(), Widget.fromName())');
  });
  test('one of our classes is matched by identity: another class of the same name is refused', () => {
    const Impostor = (() => {
      // eslint-disable-next-line @typescript-eslint/no-shadow
      class Widget {}
      return Widget;
    })();
    expect(one(s, new Impostor())).toBe('p: got Widget {}; must be a Widget instance (from Widget.alpha(), Widget.fromName())');
  });
  test('a string where a class belongs is never echoed (it is often the credential itself)', () => {
    expect(one(s, 'hunter2')).toBe('p: got "<not a Widget>"; must be a Widget instance (from Widget.alpha(), Widget.fromName())');
  });
  test("a dependency's class is matched by constructor name along the prototype chain", () => {
    const f: GuardSchema = { instanceOf: 'Foreign' };
    expect(one(f, new Foreign())).toBeUndefined();
    expect(one(f, new ForeignChild())).toBeUndefined();
    expect(one(f, new Widget())).toBe('p: got Widget {}; must be a Foreign instance');
    expect(one(f, Object.create(null))).toBe('p: got {}; must be a Foreign instance');
    expect(one(f, Object.create(Object.create(null)))).toBe('p: got {}; must be a Foreign instance');
    expect(one(f, null)).toBe('p: got null; must be a Foreign instance');
    expect(one(f, 'Foreign')).toBe('p: got "<not a Foreign>"; must be a Foreign instance');
    expect(one(f, undefined)).toBe('p: got undefined; must be a Foreign instance');
  });
  test('plural forms change whole words only', () => {
    CLASSES.objectStore = class objectStore {};
    try {
      expect(one({ type: 'array', items: { instanceOf: 'objectStore' } }, 1)).toBe('p: got 1; must be an array of objectStore instance');
    } finally {
      delete CLASSES.objectStore;
    }
  });
  test('a class with no static factories is described without a list', () => {
    CLASSES.Bare = class Bare {};
    try {
      expect(one({ instanceOf: 'Bare' }, 1)).toBe('p: got 1; must be a Bare instance');
    } finally {
      delete CLASSES.Bare;
    }
  });
});

describe('unions and intersections', () => {
  const defs: Record<string, GuardSchema> = {
    Root: { anyOf: [{ const: false }, { $ref: '#/definitions/Options' }] },
    Options: { type: 'object', properties: { size: { type: 'string' }, deep: { type: 'object', properties: { x: { type: 'integer' } } } } },
  };
  test('a value matching any branch passes', () => {
    expect(message(defs, false)).toBeUndefined();
    expect(message(defs, { size: '1' })).toBeUndefined();
  });
  test('a value no branch takes is told every alternative, described once each', () => {
    expect(message(defs, true)).toBe('props: got true; must be false or an object (Options)');
    expect(one({ oneOf: [{ type: 'string' }, { type: 'string' }, { type: 'integer' }] }, true)).toBe('p: got true; must be a string or an integer');
    expect(one({ anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] }, true)).toBe('p: got true; must be a string, an integer or null');
    expect(one({ anyOf: [{ enum: ['a', 'b'] }, { type: 'null' }] }, 1)).toBe('p: got 1; must be "a" or "b" or null');
    expect(one({ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } }, 1)).toBe('p: got 1; must be an array of strings or an integer');
  });
  test('oneOf works as anyOf', () => {
    expect(one({ oneOf: [{ type: 'string' }, { type: 'integer' }] }, 2)).toBeUndefined();
    expect(one({ oneOf: [{ type: 'string' }, { type: 'integer' }] }, 2.5)).toBe('p: got 2.5; must be a string or an integer');
  });
  test('a value of one branch that fails inside it is told the deepest problem, not the list of branches', () => {
    expect(message(defs, { size: 1 })).toBe('size: got 1; must be a string');
    expect(message(defs, { deep: { x: 'y' } })).toBe('deep.x: got "y"; must be an integer');
  });
  test('a problem inside an object is deeper than the list of branches: missing, unknown and record values', () => {
    expect(one({ anyOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'string' }] }, {})).toBe(
      'p.a: got undefined; is required: a string',
    );
    expect(one({ anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'string' }] }, { zzzz: 1 })).toBe(
      'p.zzzz: got 1; unknown property of Root; known properties: a',
    );
    expect(one({ anyOf: [{ type: 'object', additionalProperties: { type: 'integer' } }, { type: 'string' }] }, { a: 'x' })).toBe(
      'p.a: got "x"; must be an integer',
    );
    expect(one({ anyOf: [{ type: 'array', items: { type: 'integer' } }, { type: 'string' }] }, ['x'])).toBe('p[0]: got "x"; must be an integer');
    expect(one({ anyOf: [{ type: 'array', minItems: 1 }, { type: 'string' }] }, [])).toBe('p: got []; must be an array or a string');
  });
  test('of two branches that fail equally deep, the first listed is reported', () => {
    const both: GuardSchema = {
      anyOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
      ],
    };
    expect(one(both, { a: true })).toBe('p.a: got true; must be a string');
    const deeper: GuardSchema = {
      anyOf: [
        { type: 'object', properties: { a: { type: 'string' } } },
        { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } },
      ],
    };
    expect(one(deeper, { a: { b: 1 } })).toBe('p.a.b: got 1; must be a string');
  });
  test('allOf requires every part, reporting the first that fails', () => {
    const s: GuardSchema = {
      allOf: [
        { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } },
        { type: 'object', properties: { a: { const: 'x' }, b: { type: 'string' } } },
      ],
    };
    expect(one(s, { a: 'x' })).toBeUndefined();
    expect(one(s, { a: 1 })).toBe('p.a: got 1; must be a string');
    expect(one(s, { a: 'y' })).toBe('p.a: got "y"; must be "x"');
  });
});

describe('depth', () => {
  const defs: Record<string, GuardSchema> = { Root: { type: 'object', properties: { child: { $ref: '#/definitions/Root' } } } };
  const nest = (levels: number): unknown => (levels === 0 ? {} : { child: nest(levels - 1) });
  test('values nest 64 levels deep and no deeper', () => {
    expect(message(defs, nest(64))).toBeUndefined();
    const path = Array.from({ length: 65 }, () => 'child').join('.');
    expect(message(defs, nest(65))).toBe(`${path}: got {}; is nested too deeply`);
    const listed: Record<string, GuardSchema> = { Root: { type: 'array', items: { $ref: '#/definitions/Root' } } };
    const deepList = (n: number): unknown => (n === 0 ? [] : [deepList(n - 1)]);
    expect(message(listed, deepList(64))).toBeUndefined();
    expect(message(listed, deepList(65))).toMatch(/^(\[0\]){65}: got \[\]; is nested too deeply$/);
  });
});

describe('credentials never reach a message', () => {
  const s: GuardSchema = {
    type: 'object',
    properties: {
      password: { type: 'integer' },
      key: { type: 'integer' },
      tls: { type: 'object', properties: { key: { type: 'boolean' } } },
      label: { type: 'integer' },
    },
    additionalProperties: false,
  };
  const record: GuardSchema = { type: 'object', additionalProperties: { type: 'integer' } };
  test('a wrong-typed string or number under a credential-named key is redacted', () => {
    expect(one(s, { password: 'hunter2' })).toBe('p.password: got "<redacted>"; must be an integer');
    expect(one(s, { password: 1.5 })).toBe('p.password: got "<redacted>"; must be an integer');
    expect(one(s, { key: 1.5 })).toBe('p.key: got "<redacted>"; must be an integer');
    expect(one(s, { tls: { key: 'pem' } })).toBe('p.tls.key: got "<redacted>"; must be a boolean (true or false)');
    expect(one(s, { key: 'pem' }, '')).toBe('key: got "<redacted>"; must be an integer');
  });
  test('a credential-named record key in brackets is redacted as well', () => {
    expect(one(record, { 'db-password': 'hunter2' })).toBe('p["db-password"]: got "<redacted>"; must be an integer');
    expect(one(record, { 'db-password': 2.5 })).toBe('p["db-password"]: got "<redacted>"; must be an integer');
    expect(one(record, { 'db\\"-token': 'x' })).toBe('p["db\\\\\\"-token"]: got "<redacted>"; must be an integer');
    expect(one(record, { 'x-colour': 'blue' })).toBe('p["x-colour"]: got "blue"; must be an integer');
    const nested: GuardSchema = { type: 'object', additionalProperties: { type: 'object', properties: { colour: { type: 'string' } } } };
    expect(one(nested, { 'x-token': { colour: 5 } })).toBe('p["x-token"].colour: got 5; must be a string');
  });
  test('values that show nothing secret are shown: booleans, objects, the "<not a …>" marker, and keys that name no credential', () => {
    expect(one(s, { password: true })).toBe('p.password: got true; must be an integer');
    expect(one(s, { password: { a: 1 } })).toBe('p.password: got {"a":1}; must be an integer');
    expect(one(s, { label: 'blue' })).toBe('p.label: got "blue"; must be an integer');
    expect(one(s, { label: 2.5 })).toBe('p.label: got 2.5; must be an integer');
    expect(one({ type: 'object', properties: { key: { instanceOf: 'Widget' } } }, { key: 'secret' })).toBe(
      'p.key: got "<not a Widget>"; must be a Widget instance (from Widget.alpha(), Widget.fromName())',
    );
    expect(one({ type: 'array', items: { type: 'integer' } }, ['x'], 'keys')).toBe('keys[0]: got "x"; must be an integer');
  });
  test('a string that only looks like the marker is still redacted', () => {
    expect(one(s, { key: 'x<not a Widget>' })).toBe('p.key: got "<redacted>"; must be an integer');
    expect(one(s, { key: '<not a Widget>x' })).toBe('p.key: got "<redacted>"; must be an integer');
    expect(one(s, { key: '<not a Wid get>' })).toBe('p.key: got "<redacted>"; must be an integer');
  });
});

describe('did you mean', () => {
  test.each<[string, string[], string | undefined]>([
    ['HOST', ['host', 'apiHost'], 'host'],
    ['apihost', ['host', 'apiHost'], 'apiHost'],
    ['hostname', ['host', 'port'], 'host'],
    ['replica', ['replicas', 'resources'], 'replicas'],
    ['REPLICA', ['replicas', 'resources'], 'replicas'],
    ['rep', ['replicas', 'resources'], 'replicas'],
    ['re', ['replicas', 'resources'], undefined],
    ['hostnames', ['host', 'hostname'], 'hostname'],
    ['tlsx', ['tls', 'tlsSecret'], 'tls'],
    ['abcx', ['ab', 'zz'], 'ab'],
    ['relicas', ['replicas', 'resources'], 'replicas'],
    ['zzzzzz', ['replicas'], undefined],
    ['ab', ['xy'], 'xy'],
    ['abcdefgh', ['abcdexyz'], undefined],
    ['abcdefghi', ['abcdefxyz'], 'abcdefxyz'],
    ['abcdefghi', ['abcdwxyz1'], undefined],
    ['portt', ['port', 'ports'], 'port'],
    ['sizes', [], undefined],
    ['kitten', ['sitting', 'kitchen'], 'kitchen'],
    ['colour', ['color', 'colors'], 'color'],
    ['hostx', ['ho', 'port'], undefined],
    ['tlsfoobar', ['tls', 'port'], 'tls'],
    ['ab', ['abcdef', 'xyz'], undefined],
    ['abd', ['abc', 'abe'], 'abc'],
    ['ID', ['id', 'idx'], 'id'],
    ['Host', ['host', 'hostname'], 'host'],
  ])('%s among %p', (key, allowed, expected) => {
    expect(closest(key, allowed)).toBe(expected);
  });
});
