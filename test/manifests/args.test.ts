import { describe, expect, it } from 'vitest';
import { buildCommand, flagsToArgs } from '../../src/manifests/args.js';
import { fromYaml, toYaml } from '../../src/manifests/yaml.js';

describe('flagsToArgs', () => {
  it('writes --name=value sorted by name in code-unit order, like Go sort.Strings', () => {
    expect(flagsToArgs({ 'b-flag': '2', a: '1', 'a-b': 'x=y', a1: 'z' })).toEqual(['--a=1', '--a-b=x=y', '--a1=z', '--b-flag=2']);
  });

  it('keeps an empty value as --name=', () => {
    expect(buildCommand('bin', { empty: '' })).toEqual(['bin', '--empty=']);
  });

  it('refuses flag names that are not lowercase kebab-case', () => {
    for (const name of ['', '-x', 'X', 'a b', 'a=b', 'a\nb', '__proto__']) {
      expect(() => flagsToArgs({ [name]: 'v' }), JSON.stringify(name)).toThrow(/invalid flag name/);
    }
  });

  it('refuses a non-string value', () => {
    expect(() => flagsToArgs({ port: 6443 as unknown as string })).toThrow(/no string value/);
  });

  it('a hostile value stays a single argv element through YAML', () => {
    const hostile = 'x\n- --evil=true\n--evil2=true "quoted" \'single\' # comment\n: key: value';
    const command = buildCommand('kube-apiserver', { 'advertise-address': hostile, 'secure-port': '6443' });
    expect(command).toHaveLength(3);
    const parsed = fromYaml(toYaml({ command })) as { command: string[] };
    expect(parsed.command).toEqual(command);
    expect(parsed.command[1]).toBe(`--advertise-address=${hostile}`);
  });
});
