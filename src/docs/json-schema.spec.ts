import { reachableSchemas, toJsonSchema } from './json-schema.js';

describe('OpenAPI schemas as JSON Schema', () => {
  it('turns a nullable scalar into a type that admits null', () => {
    expect(
      toJsonSchema({ type: 'string', format: 'date-time', nullable: true, example: '2026-01-01' }),
    ).toEqual({ type: ['string', 'null'], format: 'date-time', examples: ['2026-01-01'] });
  });

  it('adds null to the values of a nullable enum', () => {
    expect(toJsonSchema({ type: 'string', enum: ['a', 'b'], nullable: true })).toEqual({
      type: ['string', 'null'],
      enum: ['a', 'b', null],
    });
  });

  it('makes a nullable class property one of the class or null', () => {
    // What @nestjs/swagger writes for `@ApiProperty({ type: MessageView, nullable: true })`.
    expect(
      toJsonSchema({
        nullable: true,
        type: 'object',
        description: 'The latest message',
        allOf: [{ $ref: '#/components/schemas/MessageView' }],
      }),
    ).toEqual({
      description: 'The latest message',
      oneOf: [{ $ref: '#/components/schemas/MessageView' }, { type: 'null' }],
    });
  });

  it('converts nested properties and array items', () => {
    expect(
      toJsonSchema({
        type: 'object',
        properties: {
          ids: { type: 'array', items: { type: 'string', nullable: true } },
          owner: { type: 'string', nullable: true },
        },
        required: ['ids'],
      }),
    ).toEqual({
      type: 'object',
      properties: {
        ids: { type: 'array', items: { type: ['string', 'null'] } },
        owner: { type: ['string', 'null'] },
      },
      required: ['ids'],
    });
  });
});

describe('reachableSchemas', () => {
  const schemas = {
    A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
    B: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } },
    C: { type: 'string' },
  };

  it('follows references transitively, cycles included, and leaves the rest out', () => {
    expect(reachableSchemas([{ data: { $ref: '#/components/schemas/A' } }], schemas)).toEqual([
      'A',
      'B',
    ]);
  });

  it('throws on a reference to a schema that does not exist', () => {
    expect(() => reachableSchemas([{ $ref: '#/components/schemas/Missing' }], schemas)).toThrow(
      'schema Missing is referenced but not defined',
    );
  });
});
